"""Events as types: a catalogue parses envelopes into classes, upcasting old schema versions."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from zhicheng_kernel.errors import DomainError, InvalidInput, not_found
from zhicheng_kernel.events import DomainEvent, EventCatalogue, PayloadStep
from zhicheng_kernel.testing import envelope


def _split_name(payload: dict[str, Any]) -> dict[str, Any]:
    family, _, given = payload.pop("name").partition(" ")
    return {**payload, "family_name": family, "given_name": given}


class PersonRenamed(DomainEvent):
    """A person's name was corrected."""

    event_type: ClassVar[str] = "PersonRenamed"
    stream_type: ClassVar[str] = "person"
    schema_version: ClassVar[int] = 2
    upcasts: ClassVar[dict[int, PayloadStep]] = {1: _split_name}

    person_id: str
    family_name: str
    given_name: str


def test_an_event_becomes_a_new_event_with_its_type_version_and_payload() -> None:
    new = PersonRenamed(person_id="p1", family_name="张", given_name="三").to_new_event()
    assert (new.event_type, new.schema_version) == ("PersonRenamed", 2)
    assert new.payload == {"person_id": "p1", "family_name": "张", "given_name": "三"}


def test_the_catalogue_upcasts_an_old_payload_into_the_current_class() -> None:
    catalogue = EventCatalogue("people", [PersonRenamed])
    old = envelope("people", "PersonRenamed", {"person_id": "p1", "name": "张 三"}, schema_version=1)
    parsed = catalogue.parse(old)
    assert parsed == PersonRenamed(person_id="p1", family_name="张", given_name="三")


def test_the_catalogue_refuses_an_undeclared_event_and_a_duplicate_declaration() -> None:
    catalogue = EventCatalogue("people", [PersonRenamed])
    with pytest.raises(KeyError):
        catalogue.parse(envelope("people", "PersonVanished", {}))
    with pytest.raises(ValueError):
        EventCatalogue("people", [PersonRenamed, PersonRenamed])


def test_a_refusal_by_a_rule_carries_the_rule_id() -> None:
    error = DomainError("push_window_closed", "推送期已过。", rule="SCHED-1")
    assert error.rule == "SCHED-1" and error.extra["rule"] == "SCHED-1"
    assert InvalidInput("x", "y").status == 422
    missing = not_found("评审会议", "session_not_found", "s1")
    assert (missing.status, missing.code) == (404, "session_not_found") and "s1" in missing.message


def test_the_events_page_renders_each_class_with_its_stream_version_meaning_and_fields() -> None:
    from zhicheng_kernel.event_docs import render

    page = render([EventCatalogue("people", [PersonRenamed])])
    assert "## people (stream types `person`)" in page
    assert "| PersonRenamed | person | 2 |" in page
    assert "person_id: str; family_name: str; given_name: str" in page


def test_the_events_page_names_the_type_under_an_annotation_also_when_optional() -> None:
    from datetime import datetime
    from typing import Annotated

    from pydantic import AwareDatetime, PlainSerializer
    from zhicheng_kernel.event_docs import render

    class Stamped(DomainEvent):
        """Something happened at an instant."""

        event_type: ClassVar[str] = "Stamped"
        stream_type: ClassVar[str] = "thing"
        at: Annotated[AwareDatetime, PlainSerializer(datetime.isoformat, return_type=str)] | None = None

    assert "at: AwareDatetime or null" in render([EventCatalogue("things", [Stamped])])
