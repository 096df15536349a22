"""Dependencies of the routers: the review context built once at start-up."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..service_layer.context import ReviewContext


def get_context(request: Request) -> ReviewContext:
    return request.app.state.runtime.extras["review"]  # type: ignore[no-any-return]


Context = Annotated[ReviewContext, Depends(get_context)]
