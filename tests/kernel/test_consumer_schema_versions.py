"""Schema versions are read, not ignored (issue 12, "no upcasters and `schema_version` ignored"): an old
version is upcast, a version the code cannot read is refused instead of being read as the current one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import pytest
from zhicheng_kernel.events import DomainEvent, EventCatalogue, PayloadStep, UnknownSchemaVersion
from zhicheng_kernel.testing import envelope


class PersonRenamed(DomainEvent):
    """A person's name changed (version 2 split it into given and family names)."""

    event_type: ClassVar[str] = "PersonRenamed"
    stream_type: ClassVar[str] = "person"
    schema_version: ClassVar[int] = 2
    upcasts: ClassVar[Mapping[int, PayloadStep]] = {1: lambda p: {"family": p["name"][:1], "given": p["name"][1:], **p}}

    family: str
    given: str


class Noted(DomainEvent):
    """A note with no upcast step from its first version."""

    event_type: ClassVar[str] = "Noted"
    stream_type: ClassVar[str] = "note"
    schema_version: ClassVar[int] = 2

    text: str


CATALOGUE = EventCatalogue("people", [PersonRenamed, Noted])


def test_smaller_an_old_version_is_upcast_to_the_current_one() -> None:
    event = CATALOGUE.parse(envelope("people", "PersonRenamed", {"name": "张三"}, schema_version=1))
    assert event == PersonRenamed(family="张", given="三")


def test_smaller_a_version_written_by_a_later_release_is_refused_not_misread() -> None:
    """Before: version 3 was read as version 2 (extra fields ignored, renamed ones lost)."""
    later = envelope("people", "PersonRenamed", {"family": "张", "given": "三", "alias": "x"}, schema_version=3)
    with pytest.raises(UnknownSchemaVersion) as refused:
        CATALOGUE.parse(later)
    assert (refused.value.event_type, refused.value.version) == ("PersonRenamed", 3)


def test_smaller_an_old_version_without_an_upcast_step_is_refused() -> None:
    with pytest.raises(UnknownSchemaVersion):
        CATALOGUE.parse(envelope("people", "Noted", {"text": "旧"}, schema_version=1))
    assert CATALOGUE.parse(envelope("people", "Noted", {"text": "新"}, schema_version=2)) == Noted(text="新")
