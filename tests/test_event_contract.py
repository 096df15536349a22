"""docs/EVENTS.md is the rendering of the services' event classes: the two never drift apart."""

from __future__ import annotations

from zhicheng_tooling.event_docs import PAGE, page


def test_the_events_page_is_generated_from_the_event_classes() -> None:
    assert PAGE.read_text(encoding="utf-8") == page(), "docs/EVENTS.md is out of date: run `make events-doc`"
