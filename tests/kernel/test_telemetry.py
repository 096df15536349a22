"""Traces without servers: the correlation id is the trace id, Kafka headers carry it, and every answer
and problem of a service names it."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from zhicheng_kernel.envelope import EventEnvelope
from zhicheng_kernel.errors import InvalidInput
from zhicheng_kernel.problems import install_problem_handlers
from zhicheng_kernel.settings import ServiceSettings
from zhicheng_kernel.telemetry import (
    JsonLinesSpanExporter,
    configure_tracing,
    correlation_uuid,
    current_ids,
    exporter_for,
    extract_context,
    inject_headers,
    instrument_app,
    tracer,
)

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def event(correlation: uuid.UUID | None = None) -> EventEnvelope:
    return EventEnvelope(
        event_id=uuid.uuid4(),
        event_type="OrganizationCreated",
        schema_version=1,
        source="org-service",
        stream_id="org-1",
        stream_type="organization",
        version=1,
        position=7,
        occurred_at=datetime(2026, 6, 1, tzinfo=UTC),
        actor="admin",
        correlation_id=correlation or uuid.uuid4(),
        causation_id=None,
        payload={},
    )


def test_the_exporter_is_chosen_by_settings(tmp_path: Path) -> None:
    assert exporter_for(ServiceSettings(otel_exporter="none"), "x") is None
    file_exporter = exporter_for(ServiceSettings(otel_exporter="file", otel_file=str(tmp_path / "t.jsonl")), "x")
    assert isinstance(file_exporter, JsonLinesSpanExporter)
    assert type(exporter_for(ServiceSettings(otel_exporter="console"), "x")).__name__ == "ConsoleSpanExporter"
    otlp = exporter_for(ServiceSettings(otel_exporter="otlp", otel_endpoint="http://127.0.0.1:4318/v1/traces"), "x")
    assert type(otlp).__name__ == "OTLPSpanExporter"


def test_the_file_exporter_writes_one_json_span_a_line(tmp_path: Path) -> None:
    path = tmp_path / "spans" / "traces.jsonl"
    provider = TracerProvider(resource=Resource.create({"service.name": "unit"}))
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    provider.add_span_processor(SimpleSpanProcessor(JsonLinesSpanExporter(path)))
    with provider.get_tracer("t").start_as_current_span("outer"), provider.get_tracer("t").start_as_current_span("in"):
        pass
    spans = [json.loads(line) for line in path.read_text().splitlines()]
    assert [s["name"] for s in spans] == ["in", "outer"]
    assert spans[0]["context"]["trace_id"] == spans[1]["context"]["trace_id"]
    assert spans[0]["resource"]["attributes"]["service.name"] == "unit"


def test_kafka_headers_carry_the_publishing_span_and_the_event_alone_gives_its_trace() -> None:
    configure_tracing("unit-tests", ServiceSettings())
    with tracer().start_as_current_span("publish") as span:
        trace_id = span.get_span_context().trace_id
        sent = event(uuid.UUID(int=trace_id))
        headers = inject_headers(sent)
    assert dict(headers)["traceparent"].decode().split("-")[1] == format(trace_id, "032x")
    continued = trace.get_current_span(extract_context(headers, sent)).get_span_context()
    assert continued.trace_id == trace_id and continued.span_id == span.get_span_context().span_id

    # From the feed (no headers), or with headers of another trace (forged), the event's own trace.
    fed = event()
    for given in (None, headers):
        ctx = trace.get_current_span(extract_context(given, fed)).get_span_context()
        assert ctx.trace_id == fed.correlation_id.int and ctx.is_remote
    # Outside any span the relay still sends the event's trace.
    assert dict(inject_headers(fed))["traceparent"].decode().split("-")[1] == fed.correlation_id.hex


async def test_an_answer_and_its_problem_name_the_callers_trace_as_correlation_id() -> None:
    app = FastAPI()
    install_problem_handlers(app)
    instrument_app(app, "unit-tests", ServiceSettings())

    @app.get("/ok")
    async def ok() -> dict[str, str | None]:
        ids = current_ids()
        correlation = correlation_uuid()
        return {"trace": ids[0] if ids else None, "correlation": str(correlation) if correlation else None}

    @app.get("/refused")
    async def refused() -> None:
        raise InvalidInput("bad_thing", "不对。", field="x")

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        parent = {"traceparent": f"00-{TRACE}-00f067aa0ba902b7-01"}
        r = await client.get("/ok", headers=parent)
        assert r.headers["x-correlation-id"] == TRACE == r.json()["trace"]
        assert r.json()["correlation"] == str(uuid.UUID(TRACE))
        version, trace_id, span_id, flags = r.headers["traceresponse"].split("-")
        assert (version, trace_id, flags) == ("00", TRACE, "01") and span_id != "00f067aa0ba902b7"

        problem = await client.get("/refused", headers=parent)
        assert problem.status_code == 422 and problem.headers["content-type"] == "application/problem+json"
        assert problem.json()["correlation_id"] == TRACE == problem.headers["x-correlation-id"]
        assert problem.json()["code"] == "bad_thing"

        fresh = await client.get("/nowhere")  # no caller trace: a new one, still answered and in the problem
        assert fresh.status_code == 404
        assert fresh.json()["correlation_id"] == fresh.headers["x-correlation-id"] != TRACE


async def test_a_consumer_continues_the_kafka_message_and_applies_in_one_span() -> None:
    from zhicheng_kernel.telemetry import applying

    configure_tracing("unit-tests", ServiceSettings())
    with tracer().start_as_current_span("relay publish") as publish:
        sent = event(uuid.UUID(int=publish.get_span_context().trace_id))
        headers = inject_headers(sent)
    with applying("c", sent, headers):
        outer = trace.get_current_span().get_span_context()
        with applying("c", sent):  # the service-level wrapper inside the consumer's own span: no second span
            assert trace.get_current_span().get_span_context().span_id == outer.span_id
    assert outer.trace_id == publish.get_span_context().trace_id
    assert trace.get_current_span().get_span_context().is_valid is False
