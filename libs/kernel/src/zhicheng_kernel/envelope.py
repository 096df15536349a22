"""The event envelope every service writes and reads, and the upcasting hook for old versions."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class EventEnvelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    event_id: uuid.UUID
    event_type: str
    schema_version: int
    source: str
    stream_id: str
    stream_type: str
    version: int
    position: int
    occurred_at: datetime
    actor: str
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None
    payload: dict[str, Any]


@dataclass(frozen=True)
class NewEvent:
    """An event a command decided on, before the store gives it a version and a position."""

    event_type: str
    payload: dict[str, Any]
    schema_version: int = 1


@dataclass(frozen=True)
class Metadata:
    """Who caused an append and in which chain of causes."""

    actor: str
    correlation_id: uuid.UUID = field(default_factory=uuid.uuid4)
    causation_id: uuid.UUID | None = None

    @classmethod
    def caused_by(cls, event: EventEnvelope, actor: str | None = None) -> Metadata:
        return cls(actor=actor or event.actor, correlation_id=event.correlation_id, causation_id=event.event_id)


Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class Upcasters:
    """Chains of payload upgrades: (event_type, from_version) -> payload of from_version + 1."""

    def __init__(self) -> None:
        self._steps: dict[tuple[str, int], Upcaster] = {}

    def register(self, event_type: str, from_version: int, step: Upcaster) -> None:
        self._steps[(event_type, from_version)] = step

    def upcast(self, event: EventEnvelope) -> EventEnvelope:
        payload, version = event.payload, event.schema_version
        while (step := self._steps.get((event.event_type, version))) is not None:
            payload, version = step(dict(payload)), version + 1
        if version == event.schema_version:
            return event
        return event.model_copy(update={"payload": payload, "schema_version": version})


NO_UPCASTS = Upcasters()
