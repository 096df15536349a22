"""org-service settings: the signing key, the internal clients and the bootstrap passwords."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from zhicheng_kernel.settings import ServiceSettings


class OrgSettings(ServiceSettings):
    jwt_private_key_file: Path | None = None
    # Comma-separated Ed25519 key files (private or public PEM) published in the JWKS beside the signing
    # key during a rotation: the next key before the switch, the previous one after it.
    jwt_extra_key_files: str = ""
    # JSON object client_id -> secret, for the OAuth2 client-credentials grant of internal services.
    service_clients: str = "{}"
    bootstrap_admin_password: str = ""
    bootstrap_operator_password: str = ""
    # JSON object org code -> initial password of the seeded provincial bodies' system administrators.
    bootstrap_provincial_passwords: str = "{}"
    # Outside production only: JSON object org code -> Ed25519 public key (PEM) of a development external
    # client registered for that seeded provincial body at start (make run, the tests). In production
    # each body's administrator registers its own system's key (POST /api/v1/external-clients).
    bootstrap_provincial_clients: str = "{}"
    access_token_minutes: int = 30
    # A refresh token family's absolute lifetime from the login that began it; rotation does not extend it.
    refresh_token_days: int = Field(default=7, ge=1, le=90)
    # Login throttling (domain/throttle.py): failures counted per username and client address (a few),
    # and per username from anywhere (many more); each limit reached locks that key for lockout_minutes,
    # doubling with each further lock up to lockout_max_minutes — never for good.
    max_failed_logins: int = Field(default=5, ge=1, le=100)
    max_failed_logins_per_account: int = Field(default=30, ge=1, le=10_000)
    lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    lockout_max_minutes: int = Field(default=240, ge=1, le=7 * 24 * 60)
    # The inbox's delivery port (adapters/delivery.py): "recording" sends nothing and records what it would
    # send (in production it says so in a warning at start-up); "disabled" records no deliveries.
    notification_provider: Literal["recording", "disabled"] = "recording"
    # Comma-separated channels every notification is delivered on: sms, email.
    notification_channels: str = "sms"
    notification_send_interval_seconds: float = Field(default=1.0, gt=0, le=60)
    # An event older than this at projection time (a replay, a service back after days) makes an inbox
    # item but no delivery: nobody wants last month's SMS.
    notification_delivery_max_age_hours: int = Field(default=48, ge=1, le=24 * 30)

    @field_validator("notification_channels")
    @classmethod
    def _known_channels(cls, value: str) -> str:
        channels = [c.strip() for c in value.split(",") if c.strip()]
        unknown = [c for c in channels if c not in ("sms", "email")]
        if unknown:
            raise ValueError(f"ZC_NOTIFICATION_CHANNELS: unknown channel(s) {unknown}; use sms, email")
        return ",".join(dict.fromkeys(channels))

    # argon2id's cost: "standard" (the library's recommended parameters) everywhere but the test stack,
    # whose hundreds of throw-away accounts use "test" (a cheap hash); production refuses "test".
    password_hash_profile: Literal["standard", "test"] = "standard"

    # RFC 7523: the audience external clients put in their assertions — our token endpoint's URL as they
    # call it (behind the gateway: its public URL). Empty: this service's own URL (org_url).
    external_token_audience: str = ""

    @model_validator(mode="after")
    def _needs_key(self) -> OrgSettings:
        if self.jwt_private_key_file is None:
            raise ValueError("ZC_JWT_PRIVATE_KEY_FILE must point to the Ed25519 signing key")
        if self.environment == "production" and self.password_hash_profile != "standard":
            raise ValueError(
                "ZC_PASSWORD_HASH_PROFILE=test is refused in production: passwords get argon2id's full cost"
            )
        return self

    def extra_key_files(self) -> list[Path]:
        return [Path(p.strip()) for p in self.jwt_extra_key_files.split(",") if p.strip()]

    def channels(self) -> list[str]:
        return [c for c in self.notification_channels.split(",") if c]

    @property
    def token_audience(self) -> str:
        return self.external_token_audience or f"{self.org_url.rstrip('/')}/api/v1/auth/token"

    def clients(self) -> dict[str, str]:
        value = json.loads(self.service_clients or "{}")
        return {str(k): str(v) for k, v in value.items()}

    @model_validator(mode="after")
    def _no_bootstrapped_clients_in_production(self) -> OrgSettings:
        if self.environment == "production" and self.provincial_clients():
            raise ValueError("ZC_BOOTSTRAP_PROVINCIAL_CLIENTS is refused in production: each body registers its own")
        return self

    def provincial_clients(self) -> dict[str, str]:
        value = json.loads(self.bootstrap_provincial_clients or "{}")
        return {str(k): str(v) for k, v in value.items()}

    def provincial_passwords(self) -> dict[str, str]:
        value = json.loads(self.bootstrap_provincial_passwords or "{}")
        return {str(k): str(v) for k, v in value.items()}
