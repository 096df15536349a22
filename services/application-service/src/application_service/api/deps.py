"""FastAPI dependencies of this service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path
from zhicheng_kernel.context import context_dependency
from zhicheng_kernel.inputs import CleanText
from zhicheng_kernel.unit_of_work import Idempotency, idempotency

from ..context import Context

ContextDep = Annotated[Context, Depends(context_dependency(Context))]
# The client's Idempotency-Key, if any: a retried command with the same key acts once.
IdempotencyDep = Annotated[Idempotency | None, Depends(idempotency)]

# An identifier in a path (a UUID, a code): bounded and plain, so nothing else reaches the database.
Ident = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$")]
# A name or key in a path that people read (a registry's key may be a journal's Chinese name).
PathText = Annotated[CleanText, Path(min_length=1, max_length=200)]
