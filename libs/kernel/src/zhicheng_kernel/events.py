"""Events as types: each service declares its events as classes in its `domain/events.py`.

A class names its event type and schema version and its fields are the payload. Appending takes
instances; consuming parses an envelope into the class of its type after upcasting. A changed shape
is a new schema version: the class's `schema_version` goes up and `upcasts` gains the step from the
old payload, so old events stay readable.

`EventCatalogue` holds one service's classes; `docs/EVENTS.md` is generated from the catalogues
(`python -m zhicheng_kernel.event_docs`) and a test fails when the two differ.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from .envelope import EventEnvelope, NewEvent, Upcasters

E = TypeVar("E", bound="DomainEvent")
PayloadStep = Callable[[dict[str, Any]], dict[str, Any]]


class DomainEvent(BaseModel):
    """A fact in past tense. Subclasses set `event_type`, `stream_type` and, when the shape changed,
    `schema_version` with the `upcasts` that lift older payloads (from_version -> step)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    stream_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    upcasts: ClassVar[Mapping[int, PayloadStep]] = {}

    def to_new_event(self) -> NewEvent:
        return NewEvent(self.event_type, self.model_dump(mode="json"), self.schema_version)

    @classmethod
    def from_envelope(cls: type[E], envelope: EventEnvelope) -> E:
        if envelope.event_type != cls.event_type:
            raise ValueError(f"{envelope.event_type} is not {cls.event_type}")
        return cls.model_validate(envelope.payload)


class EventCatalogue:
    """One service's events by type: parsing, upcasting and the documentation come from here."""

    def __init__(self, source: str, classes: Iterable[type[DomainEvent]]) -> None:
        self.source = source
        self.classes: dict[str, type[DomainEvent]] = {}
        for cls in classes:
            if cls.event_type in self.classes:
                raise ValueError(f"{cls.event_type} declared twice in {source}")
            self.classes[cls.event_type] = cls
        self.upcasters = Upcasters()
        for cls in self.classes.values():
            for from_version, step in cls.upcasts.items():
                self.upcasters.register(cls.event_type, from_version, step)

    def __contains__(self, event_type: str) -> bool:
        return event_type in self.classes

    def parse(self, envelope: EventEnvelope) -> DomainEvent:
        """The typed event of an envelope of this service (upcast to the current schema version).

        A version this code cannot read is refused rather than read as if it were the current one: a
        newer one (written by a later release) or an older one with no upcast step to the current."""
        upcast = self.upcasters.upcast(envelope)
        cls = self.classes.get(upcast.event_type)
        if cls is None:
            raise KeyError(f"{self.source} declares no event {upcast.event_type}")
        if upcast.schema_version != cls.schema_version:
            raise UnknownSchemaVersion(cls, envelope.schema_version)
        return cls.model_validate(upcast.payload)


class UnknownSchemaVersion(ValueError):
    """An event in a schema version its class cannot read (in a consumer: a dead letter until the
    release that knows it is deployed, then retried)."""

    def __init__(self, cls: type[DomainEvent], version: int) -> None:
        super().__init__(
            f"{cls.event_type} version {version} cannot be read as version {cls.schema_version}"
            f" (no upcast step from it, or written by a later release)"
        )
        self.event_type = cls.event_type
        self.version = version


def as_new_events(events: Iterable[NewEvent | DomainEvent]) -> list[NewEvent]:
    return [e.to_new_event() if isinstance(e, DomainEvent) else e for e in events]
