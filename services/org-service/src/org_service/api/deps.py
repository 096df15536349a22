"""Dependencies of org-service's routers: its typed context and a command's Idempotency-Key."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from zhicheng_kernel.context import context_dependency
from zhicheng_kernel.unit_of_work import Idempotency, idempotency

from ..context import OrgContext

ContextDep = Annotated[OrgContext, Depends(context_dependency(OrgContext))]
IdempotencyDep = Annotated[Idempotency | None, Depends(idempotency)]
