"""application-service settings: the kernel's ZC_* settings plus attachments and NAT-5."""

from __future__ import annotations

from pathlib import Path

from zhicheng_kernel.settings import ServiceSettings


class ApplicationSettings(ServiceSettings):
    # ZC_ATTACHMENTS_DIR: where uploaded PDF/JPEG/PNG attachments are kept, by content hash.
    attachments_dir: Path = Path(".data/application-attachments")
    # ZC_NAT5_PUBLICITY_REQUIRED: the unit approves only after ≥ ZC_NAT5_PUBLICITY_WORKING_DAYS working
    # days of internal publicity (NAT-5). Unset: enforced in production only, so the demo and the
    # cross-service tests (which cannot wait five working days) keep running until they record one.
    nat5_publicity_required: bool | None = None
    nat5_publicity_working_days: int = 5

    def publicity_working_days(self) -> int | None:
        """NAT-5: the working days of the unit's publicity, or None when it is not enforced."""
        required = self.nat5_publicity_required
        if required is None:
            required = self.environment == "production"
        return self.nat5_publicity_working_days if required else None
