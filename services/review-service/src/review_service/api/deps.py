"""Dependencies of the routers: the review context the kernel built at start-up."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from zhicheng_kernel.context import context_dependency

from ..context import ReviewContext

ContextDep = Annotated[ReviewContext, Depends(context_dependency(ReviewContext))]
