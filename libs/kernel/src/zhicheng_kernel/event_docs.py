"""docs/EVENTS.md, generated from the services' event classes (one `EventCatalogue` per service).

The classes are the contract; the page is their rendering, so the two cannot drift: a test renders
the catalogues and compares the result with the committed page.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from .events import DomainEvent, EventCatalogue

HEADER = """# Events — the contract between services

Generated from each service's `domain/events.py` (`make events-doc`); a test fails when this page and
the classes differ. Every event travels in the kernel's envelope (`zhicheng_kernel.envelope.EventEnvelope`:
event_id, event_type, schema_version, source, stream_id, stream_type, version, position, occurred_at,
actor, correlation_id, causation_id, payload). A service publishes on the topic
`zhicheng.<service>.events`, key = stream_id; its event feed `GET /api/v1/events?after=&limit=`
(service tokens only) is the source of truth. Dates and times are ISO 8601. An event's meaning never
changes: a new shape is a new schema version with an upcaster from the old one.
"""


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:  # a type with serialisation or validation attached: name the type
        return _type_name(typing.get_args(annotation)[0])
    if origin is None:
        if annotation is type(None):
            return "null"
        if isinstance(annotation, type):
            return annotation.__name__
        return re.sub(r"\btyping\.", "", str(annotation))
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args)
    if origin is typing.Literal:
        return " / ".join(str(a) for a in args)
    name = getattr(origin, "__name__", str(origin))
    return f"{name}[{', '.join(_type_name(a) for a in args)}]"


def _fields(model: type[BaseModel]) -> str:
    parts = []
    for name, info in model.model_fields.items():
        text = f"{name}: {_type_name(info.annotation)}"
        if info.description:
            text += f" — {info.description}"
        parts.append(text)
    return "; ".join(parts) or "—"


def _nested(model: type[BaseModel], seen: set[type[BaseModel]]) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    for info in model.model_fields.values():
        stack = [info.annotation]
        while stack:
            current = stack.pop()
            stack.extend(typing.get_args(current))
            if (
                isinstance(current, type)
                and issubclass(current, BaseModel)
                and not issubclass(current, DomainEvent)
                and current not in seen
            ):
                seen.add(current)
                found += [current, *_nested(current, seen)]
    return found


def _doc(cls: type[Any]) -> str:
    return " ".join((inspect.getdoc(cls) or "").split())


def render(catalogues: Sequence[EventCatalogue]) -> str:
    out = [HEADER]
    for catalogue in catalogues:
        classes = list(catalogue.classes.values())
        streams = sorted({c.stream_type for c in classes})
        out.append(f"## {catalogue.source} (stream types {', '.join(f'`{s}`' for s in streams)})\n")
        out.append("| event | stream | version | meaning | payload |")
        out.append("|---|---|---|---|---|")
        nested: list[type[BaseModel]] = []
        seen: set[type[BaseModel]] = set()
        for cls in classes:
            out.append(
                f"| {cls.event_type} | {cls.stream_type} | {cls.schema_version} | {_doc(cls)} | {_fields(cls)} |"
            )
            nested += _nested(cls, seen)
        if nested:
            out.append("\nParts of payloads:\n")
            out.append("| part | meaning | fields |")
            out.append("|---|---|---|")
            for model in nested:
                out.append(f"| {model.__name__} | {_doc(model)} | {_fields(model)} |")
        out.append("")
    return "\n".join(out)
