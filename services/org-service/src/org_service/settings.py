"""org-service settings: the signing key, the internal clients and the bootstrap passwords."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import model_validator
from zhicheng_kernel.settings import ServiceSettings


class OrgSettings(ServiceSettings):
    jwt_private_key_file: Path | None = None
    # JSON object client_id -> secret, for the OAuth2 client-credentials grant of internal services.
    service_clients: str = "{}"
    bootstrap_admin_password: str = ""
    bootstrap_operator_password: str = ""
    # JSON object org code -> initial password of the seeded provincial bodies' system administrators.
    bootstrap_provincial_passwords: str = "{}"
    access_token_minutes: int = 30
    refresh_token_days: int = 7
    max_failed_logins: int = 5
    lockout_minutes: int = 15
    # RFC 7523: the audience external clients put in their assertions — our token endpoint's URL as they
    # call it (behind the gateway: its public URL). Empty: this service's own URL (org_url).
    external_token_audience: str = ""

    @model_validator(mode="after")
    def _needs_key(self) -> OrgSettings:
        if self.jwt_private_key_file is None:
            raise ValueError("ZC_JWT_PRIVATE_KEY_FILE must point to the Ed25519 signing key")
        return self

    @property
    def token_audience(self) -> str:
        return self.external_token_audience or f"{self.org_url.rstrip('/')}/api/v1/auth/token"

    def clients(self) -> dict[str, str]:
        value = json.loads(self.service_clients or "{}")
        return {str(k): str(v) for k, v in value.items()}

    def provincial_passwords(self) -> dict[str, str]:
        value = json.loads(self.bootstrap_provincial_passwords or "{}")
        return {str(k): str(v) for k, v in value.items()}
