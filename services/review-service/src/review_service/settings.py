"""review-service settings: the kernel's ZC_* settings plus the national-rule parameters."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from zhicheng_kernel.settings import ServiceSettings

from .domain.blind_review import check_reviewer_count
from .domain.rules import TWO_THIRDS, CommitteeSizeRule, parse_share


class ReviewSettings(ServiceSettings):
    # NAT-6 minimum committee sizes (senior and deputy-senior committees; others: other_minimum).
    committee_min_senior_by_series: int = CommitteeSizeRule.senior_by_series
    committee_min_senior_by_specialty: int = CommitteeSizeRule.senior_by_specialty
    committee_min_other: int = CommitteeSizeRule.other_minimum
    # NAT-1 quorum and NAT-2 pass threshold, as fractions.
    quorum_share: str = str(TWO_THIRDS)
    pass_share: str = str(TWO_THIRDS)
    document_number_prefix: str = "平人社职称"
    # SCHED-3, the review year's workflow: warnings this many days before 24:00 of 31 December
    # (Asia/Shanghai), and how often it re-reads the overdue sessions while they wait for the city office.
    review_year_warning_days: str = "30,7,1"
    review_year_recheck_seconds: int = Field(default=3600, ge=1, le=86_400)
    # Compressed review years for tests and demonstrations, refused in production: the deadline of every
    # year (ZC_REVIEW_YEAR_DEADLINE_OVERRIDE) and the warning offsets in seconds.
    review_year_deadline_override: datetime | None = None
    review_year_warning_seconds: str | None = None
    # NAT-10's signed e-certificates: the issuing office's key (PKCS#8) and certificate (X.509, its chain
    # after it) as PEM files, both required in production; outside production, when unset, a self-signed
    # pair is generated at start in ZC_CERTIFICATE_DIR (else ZC_DATA_DIR/review-service, else a new
    # temporary directory). The QR code links to ZC_PUBLIC_BASE_URL's /verify (the gateway in production).
    certificate_key_file: Path | None = None
    certificate_cert_file: Path | None = None
    certificate_dir: Path | None = None
    data_dir: Path | None = None
    certificate_issuer_name: str = Field(default="平凉市职称改革工作领导小组办公室", min_length=2, max_length=100)
    public_base_url: str = Field(default="http://127.0.0.1:24100", min_length=8, max_length=200)
    # The background renderer: pending certificates per round, and its rest between rounds.
    certificate_batch_size: int = Field(default=20, ge=1, le=500)
    certificate_render_interval_seconds: float = Field(default=10.0, ge=0.1, le=3600)
    # -- issue 11: video defenses (POL-VD-1) --
    # Where LocalVideoRooms issues its room links (ZC_VIDEO_ROOM_BASE_URL): the public gateway's base
    # followed by /video/rooms/; a room is <base><room id>.
    video_room_base_url: str = Field(default="http://localhost:8080/video/rooms/", max_length=500)

    @model_validator(mode="after")
    def _review_year_not_compressed_in_production(self) -> ReviewSettings:
        compressed = self.review_year_deadline_override is not None or self.review_year_warning_seconds is not None
        if self.environment == "production" and compressed:
            raise ValueError(
                "ZC_REVIEW_YEAR_DEADLINE_OVERRIDE / ZC_REVIEW_YEAR_WARNING_SECONDS are refused in production: "
                "the review year ends at 24:00 of 31 December (SCHED-3)"
            )
        if self.review_year_deadline_override is not None and self.review_year_deadline_override.tzinfo is None:
            raise ValueError("ZC_REVIEW_YEAR_DEADLINE_OVERRIDE needs a time zone")
        warning_offsets(self.review_year_warning_days, self.review_year_warning_seconds)  # a bad value fails now
        return self

    @model_validator(mode="after")
    def _certificate_key_given_in_production(self) -> ReviewSettings:
        given = (self.certificate_key_file is not None, self.certificate_cert_file is not None)
        if self.environment == "production" and not all(given):
            raise ValueError(
                "ZC_CERTIFICATE_KEY_FILE and ZC_CERTIFICATE_CERT_FILE (PEM) must be set in production: "
                "certificates are signed with the issuing office's own key (NAT-10)"
            )
        if any(given) and not all(given):
            raise ValueError("ZC_CERTIFICATE_KEY_FILE and ZC_CERTIFICATE_CERT_FILE are given together")
        if not self.public_base_url.startswith(("http://", "https://")):
            raise ValueError("ZC_PUBLIC_BASE_URL must be an http(s) URL")
        return self

    @property
    def review_year_warning_offsets_seconds(self) -> list[int]:
        """The warning offsets before the deadline, in seconds, largest first."""
        return warning_offsets(self.review_year_warning_days, self.review_year_warning_seconds)

    @property
    def committee_size_rule(self) -> CommitteeSizeRule:
        return CommitteeSizeRule(
            self.committee_min_senior_by_series, self.committee_min_senior_by_specialty, self.committee_min_other
        )

    @property
    def quorum(self) -> Fraction:
        return parse_share(self.quorum_share)

    @property
    def pass_threshold(self) -> Fraction:
        return parse_share(self.pass_share)

    # -- issue 11: the public publicity's complaints (POL-PB-1) and the review (复查, NAT-11) ----------
    # Public complaints without an account: per client address and per session, in fixed windows
    # counted in the `rate_limit_window` table (every replica counts the same hits).
    public_complaints_per_ip: int = Field(default=5, ge=1, le=1000)
    public_complaints_ip_window_seconds: int = Field(default=3600, ge=1, le=86_400)
    public_complaints_per_session: int = Field(default=200, ge=1, le=100_000)
    public_complaints_session_window_seconds: int = Field(default=3600, ge=1, le=86_400)
    # NAT-11: calendar days after the results publicity ends, until 24:00 Asia/Shanghai of the last one.
    review_request_days: int = Field(default=30, ge=1, le=365)
    # Tests and demonstrations only (refused in production): this many seconds after the publicity's end.
    review_request_seconds: int | None = Field(default=None, ge=1, le=86_400)

    @model_validator(mode="after")
    def _review_request_not_compressed_in_production(self) -> ReviewSettings:
        if self.environment == "production" and self.review_request_seconds is not None:
            raise ValueError(
                "ZC_REVIEW_REQUEST_SECONDS is refused in production: a review (复查) may be requested for "
                "ZC_REVIEW_REQUEST_DAYS calendar days after the results publicity ends (NAT-11)"
            )
        return self

    # -- issue 11: blind reviews of expert recommendations (POL-ER-1) --------------------------------
    # How many blind reviewers are drawn for a recommendation: odd, at least 3.
    blind_reviewers: int = Field(default=3, ge=3, le=15)

    @field_validator("blind_reviewers")
    @classmethod
    def _blind_reviewers_odd(cls, value: int) -> int:
        check_reviewer_count(value)
        return value

    # -- issue 12: NAT-2's ballot key ---------------------------------------------------------------
    # The file (base64 of 32 bytes) whose key seals every ballot at cast time and opens them at the
    # tally; never in the database, the broker or the logs. Required in production; elsewhere, when
    # unset, a key of the process only (ballots cast before a restart cannot be counted after it).
    ballot_key_file: Path | None = None

    # Finding 20: the public check of document numbers, per client address and fixed window.
    public_verify_per_address: int = Field(default=30, ge=1, le=10_000)
    public_verify_window_seconds: int = Field(default=60, ge=1, le=86_400)

    @model_validator(mode="after")
    def _ballot_key_given_in_production(self) -> ReviewSettings:
        if self.environment == "production" and self.ballot_key_file is None:
            raise ValueError(
                "ZC_BALLOT_KEY_FILE must be set in production: secret ballots are sealed under a key kept "
                "outside the database, the broker and the logs (NAT-2)"
            )
        return self


def warning_offsets(days: str, seconds: str | None) -> list[int]:
    """Warning offsets in seconds from "30,7,1" days, or "5,2" seconds when compressed; largest first."""
    if seconds is not None:
        offsets = [int(x) for x in seconds.split(",") if x.strip()]
    else:
        offsets = [int(x) * 86_400 for x in days.split(",") if x.strip()]
    if any(not 0 < o <= 366 * 86_400 for o in offsets) or len(offsets) > 10:
        raise ValueError("review-year warning offsets must be at most 10 positive values within a year")
    return sorted(set(offsets), reverse=True)
