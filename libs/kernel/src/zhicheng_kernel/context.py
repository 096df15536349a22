"""The typed service context: what every route and every event handler of a service receives.

The kernel builds the parts every service has (settings, database, event store, clock, calendar,
credentials, token verifier); a service extends the dataclass with its own and hands a factory to
`create_service_app`. Routes take it with `Depends(context_dependency(MyContext))`, event handlers
as their first argument. Nothing is looked up by a string key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from fastapi import Request

from .auth import ServiceCredentials, TokenVerifier
from .calendar import ChinaCalendar
from .clock import Clock
from .database import Database
from .eventstore import EventStore
from .settings import ServiceSettings

C = TypeVar("C", bound="ServiceContext")


@dataclass
class ServiceContext:
    name: str
    settings: ServiceSettings
    db: Database
    store: EventStore
    clock: Clock
    calendar: ChinaCalendar
    credentials: ServiceCredentials
    verifier: TokenVerifier

    def kernel_parts(self) -> dict[str, Any]:
        """The kernel's fields, to build a service's subclass from: `MyContext(**base.kernel_parts(), x=...)`."""
        return {f.name: getattr(self, f.name) for f in fields(ServiceContext)}


def context_dependency(kind: type[C]) -> Callable[[Request], C]:
    """A FastAPI dependency returning the running service's context, typed as `kind`."""

    def get(request: Request) -> C:
        context = request.app.state.context
        if not isinstance(context, kind):
            raise TypeError(f"the service context is a {type(context).__name__}, not a {kind.__name__}")
        return context

    return get
