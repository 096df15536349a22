"""org-service's context: the kernel's parts, its own settings, the token issuer and the notification
delivery provider (None: deliveries disabled)."""

from __future__ import annotations

from dataclasses import dataclass

from zhicheng_kernel.context import ServiceContext

from .adapters.delivery import NotificationDelivery
from .security.tokens import TokenIssuer
from .settings import OrgSettings


@dataclass
class OrgContext(ServiceContext):
    settings: OrgSettings
    issuer: TokenIssuer
    delivery: NotificationDelivery | None = None
