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

    @model_validator(mode="after")
    def _nat5_not_compressed_in_production(self) -> ApplicationSettings:
        if self.environment == "production" and self.nat5_publicity_seconds is not None:
            raise ValueError("ZC_NAT5_PUBLICITY_SECONDS is refused in production: NAT-5 is 5 working days there")
        return self
