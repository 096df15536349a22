"""FastAPI dependencies of this service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from zhicheng_kernel.context import context_dependency

from ..service_layer.context import Context

ContextDep = Annotated[Context, Depends(context_dependency(Context))]
