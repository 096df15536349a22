"""FastAPI dependencies of this service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..service_layer.context import Context


def get_context(request: Request) -> Context:
    return request.app.state.runtime.extras["context"]  # type: ignore[no-any-return]


ContextDep = Annotated[Context, Depends(get_context)]
