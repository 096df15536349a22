"""FastAPI dependencies of this service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from zhicheng_kernel.context import context_dependency
from zhicheng_kernel.unit_of_work import Idempotency, idempotency

from ..context import Context

ContextDep = Annotated[Context, Depends(context_dependency(Context))]
# The client's Idempotency-Key, if any: a retried command with the same key acts once.
IdempotencyDep = Annotated[Idempotency | None, Depends(idempotency)]
