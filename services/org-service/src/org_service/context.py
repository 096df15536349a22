"""org-service's context: the kernel's parts, its own settings and the token issuer."""

from __future__ import annotations

from dataclasses import dataclass

from zhicheng_kernel.context import ServiceContext

from .security.tokens import TokenIssuer
from .settings import OrgSettings


@dataclass
class OrgContext(ServiceContext):
    settings: OrgSettings
    issuer: TokenIssuer
