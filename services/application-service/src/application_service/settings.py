"""application-service settings: the kernel's ZC_* settings plus attachments and NAT-5."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from zhicheng_kernel.settings import ServiceSettings


class ApplicationSettings(ServiceSettings):
    # ZC_ATTACHMENTS_DIR: where uploaded PDF/JPEG/PNG attachments are kept, by content hash.
    attachments_dir: Path = Path(".data/application-attachments")
    # ZC_NAT5_PUBLICITY_SECONDS: NAT-5 is enforced in every environment (the unit approves only after its
    # internal publicity of 5 working days); outside production this compresses the period to that many
    # seconds from the instant the unit records it, so the demo and the cross-service tests run in
    # seconds. Refused in production.
    nat5_publicity_seconds: int | None = Field(default=None, ge=1, le=86_400)

    # POL-FI-1: the provincial title office's system (ZC_PROVINCE_URL is the kernel's province_url).
    # ZC_PROVINCE_CLIENT_ID: this city's client id there; ZC_PROVINCE_ASSERTION_KEY_FILE: the PEM Ed25519
    # key that signs our client assertions (RFC 7523); ZC_PROVINCE_WEBHOOK_PUBLIC_KEY: the province's
    # "whpk_..." key its verdict webhooks are signed with; ZC_PROVINCE_CALLBACK_URL: our
    # /api/v1/provincial/callbacks as the province calls it. Production refuses to start without them.
    province_client_id: str | None = Field(default=None, max_length=100)
    province_assertion_key_file: Path | None = None
    province_webhook_public_key: str | None = Field(default=None, max_length=200)
    province_callback_url: str | None = Field(default=None, max_length=500)
    # The filing workflow's durations (inputs of ProvincialFilingWorkflow): escalate to the city office
    # when delivery has failed this long, or when verdicts are still missing this long after delivery;
    # re-read the service this often in case a signal was lost. Production refuses compressed values.
    filing_escalate_delivery_after_seconds: int = Field(default=86_400, ge=1, le=30 * 86_400)
    filing_verdict_deadline_seconds: int = Field(default=15 * 86_400, ge=1, le=365 * 86_400)
    filing_recheck_seconds: int = Field(default=3_600, ge=1, le=86_400)

    @model_validator(mode="after")
    def _nat5_not_compressed_in_production(self) -> ApplicationSettings:
        if self.environment == "production" and self.nat5_publicity_seconds is not None:
            raise ValueError("ZC_NAT5_PUBLICITY_SECONDS is refused in production: NAT-5 is 5 working days there")
        return self

    # -- push windows (SCHED-1): the reminders before a series' window closes --------------------------
    # ZC_PUSH_WINDOW_REMINDER_DAYS: how many days before the close the offices and the holders are reminded.
    push_window_reminder_days: str = Field(default="7,3,1", pattern=r"^\d{1,3}(,\d{1,3}){0,9}$")
    # ZC_PUSH_WINDOW_SECONDS / ZC_PUSH_WINDOW_REMINDER_SECONDS: outside production only (tests, the demo),
    # the window of a series published while it is open closes that many seconds after its publication,
    # and the reminders fall that many seconds before the close. Refused in production.
    push_window_seconds: int | None = Field(default=None, ge=1, le=31 * 86_400)
    push_window_reminder_seconds: str | None = Field(default=None, pattern=r"^\d{1,7}(,\d{1,7}){0,9}$")
    # ZC_PUSH_WINDOW_RECHECK_SECONDS: how often a waiting push-window workflow re-reads its window anyway.
    push_window_recheck_seconds: int = Field(default=3600, ge=1, le=86_400)

    @model_validator(mode="after")
    def _push_window_not_compressed_in_production(self) -> ApplicationSettings:
        compressed = self.push_window_seconds is not None or self.push_window_reminder_seconds is not None
        if self.environment == "production" and compressed:
            raise ValueError(
                "ZC_PUSH_WINDOW_SECONDS and ZC_PUSH_WINDOW_REMINDER_SECONDS are refused in production: "
                "SCHED-1's windows close at the end of the push month there"
            )
        return self

    def push_window_reminder_offsets(self) -> list[int]:
        """The reminder offsets before a window's close, in seconds."""
        if self.push_window_reminder_seconds is not None:
            return [int(s) for s in self.push_window_reminder_seconds.split(",")]
        return [int(d) * 86_400 for d in self.push_window_reminder_days.split(",")]

    @model_validator(mode="after")
    def _province_configured_in_production(self) -> ApplicationSettings:
        if self.environment != "production":
            return self
        missing = [
            name
            for name, value in (
                ("ZC_PROVINCE_CLIENT_ID", self.province_client_id),
                ("ZC_PROVINCE_ASSERTION_KEY_FILE", self.province_assertion_key_file),
                ("ZC_PROVINCE_WEBHOOK_PUBLIC_KEY", self.province_webhook_public_key),
                ("ZC_PROVINCE_CALLBACK_URL", self.province_callback_url),
            )
            if not value
        ]
        if missing:
            raise ValueError(f"production needs the provincial filing configured (POL-FI-1): {', '.join(missing)}")
        if self.filing_escalate_delivery_after_seconds < 3_600 or self.filing_verdict_deadline_seconds < 86_400:
            raise ValueError(
                "compressed filing durations are refused in production "
                "(ZC_FILING_ESCALATE_DELIVERY_AFTER_SECONDS >= 3600, ZC_FILING_VERDICT_DEADLINE_SECONDS >= 86400)"
            )
        return self
