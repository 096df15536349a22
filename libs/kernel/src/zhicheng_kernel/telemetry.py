"""OpenTelemetry traces across HTTP, Kafka and Temporal, with one correlation id per request.

The correlation id IS the trace id: a request's server span starts (or continues, from the caller's
`traceparent`) a trace; the unit of work stamps the events it appends with that trace id as their
`correlation_id` (a trace id is 128 bits, like a UUID), and the events a consumer appends because of
them keep it (`Metadata.caused_by`). So one trace id leads from an HTTP request through the events it
appended, Kafka or the feed, to the consumer in another service that applied them, whichever way the
event travelled. Kafka messages carry the publishing span in their headers (`inject_headers`);
`extract_context` continues from them, or from the envelope alone when it came from the feed.

Where spans go is a setting: `ZC_OTEL_EXPORTER=none|console|file|otlp`, `ZC_OTEL_FILE` (JSON lines,
one span a line) and `ZC_OTEL_ENDPOINT` (OTLP over HTTP, e.g. a collector's `/v1/traces`). With
`none` spans are still made (logs carry their ids) and dropped.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags

from .envelope import EventEnvelope
from .settings import ServiceSettings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from .consumer import EventConsumer

log = logging.getLogger(__name__)

TRACER_NAME = "zhicheng"
CORRELATION_HEADER = "X-Correlation-Id"

_configured: dict[str, TracerProvider] = {}
_lock = threading.Lock()


class JsonLinesSpanExporter(SpanExporter):
    """Appends each finished span as one JSON line (the OTLP file of a local run)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = [span.to_json(indent=None) + "\n" for span in spans]
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.writelines(lines)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None


def exporter_for(settings: ServiceSettings, service: str) -> SpanExporter | None:
    """The exporter `ZC_OTEL_EXPORTER` names (None: spans are made for the ids, then dropped)."""
    kind = settings.otel_exporter
    if kind == "console":
        return ConsoleSpanExporter(service_name=service)
    if kind == "file":
        return JsonLinesSpanExporter(Path(settings.otel_file or f"{service}.traces.jsonl"))
    if kind == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter(endpoint=settings.otel_endpoint or None)
    return None


def configure_tracing(service: str, settings: ServiceSettings) -> TracerProvider:
    """The process's tracer provider (once per process; a second call returns the first)."""
    with _lock:
        existing = _configured.get("provider")
        if existing is not None:
            return existing
        provider = TracerProvider(resource=Resource.create({"service.name": service}))
        exporter = exporter_for(settings, service)
        if exporter is not None:
            # A file is written as spans end (a test reads it at once); remote exporters batch.
            processor = (
                SimpleSpanProcessor(exporter) if settings.otel_exporter == "file" else BatchSpanProcessor(exporter)
            )
            provider.add_span_processor(processor)
        trace.set_tracer_provider(provider)
        _configured["provider"] = provider
        _instrument_httpx()
        return provider


def _instrument_httpx() -> None:
    """Every httpx client of the process sends the current `traceparent` (service calls, feeds, the province)."""
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    instrumentor = HTTPXClientInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument()


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER_NAME)


def current_ids() -> tuple[str, str] | None:
    """(trace id, span id) of the current span in hex, or None outside any span."""
    span_context = trace.get_current_span().get_span_context()
    if not span_context.is_valid:
        return None
    return format(span_context.trace_id, "032x"), format(span_context.span_id, "016x")


def correlation_uuid() -> uuid.UUID | None:
    """The current trace id as the correlation id the events of this request carry."""
    span_context = trace.get_current_span().get_span_context()
    return uuid.UUID(int=span_context.trace_id) if span_context.is_valid else None


# -- Kafka: what the relay sends with each event and what a consumer continues from ------------------


def _event_span_context(event: EventEnvelope) -> SpanContext:
    """A remote parent made of the envelope alone: its correlation id is the trace id (see the module)."""
    return SpanContext(
        trace_id=event.correlation_id.int,
        span_id=(event.event_id.int & 0xFFFF_FFFF_FFFF_FFFF) or 1,
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
    )


def inject_headers(event: EventEnvelope) -> list[tuple[str, bytes]]:
    """The trace headers a Kafka message of `event` carries (`traceparent`, `tracestate`): the current
    span's when the relay publishes inside one, else the event's own trace."""
    carrier: dict[str, str] = {}
    ctx: Context | None = None
    if not trace.get_current_span().get_span_context().is_valid:
        ctx = trace.set_span_in_context(NonRecordingSpan(_event_span_context(event)))
    propagate.inject(carrier, context=ctx)
    return [(key, value.encode()) for key, value in carrier.items()]


def extract_context(headers: Sequence[tuple[str, bytes]] | None, event: EventEnvelope) -> Context:
    """The context a consumer applies `event` in: the message's `traceparent` when Kafka delivered one
    of the same trace, else the trace of the event itself (the feed carries no headers)."""
    carrier = {key.lower(): value.decode("latin-1") for key, value in headers or ()}
    if carrier.get("traceparent"):
        ctx = propagate.extract(carrier)
        if trace.get_current_span(ctx).get_span_context().trace_id == event.correlation_id.int:
            return ctx
    return trace.set_span_in_context(NonRecordingSpan(_event_span_context(event)))


_applying: ContextVar[uuid.UUID | None] = ContextVar("zc_applying_event", default=None)


@contextlib.contextmanager
def applying(consumer: str, event: EventEnvelope, headers: Sequence[tuple[str, bytes]] | None = None) -> Iterator[None]:
    """The consumer span of applying one event, in the event's trace (continuing the Kafka message's
    `traceparent` when given: `with applying(self.name, event, record.headers): await self.apply(event)`)."""
    if _applying.get() == event.event_id:  # already inside this event's span
        yield
        return
    token = _applying.set(event.event_id)
    try:
        with tracer().start_as_current_span(
            f"apply {event.source} {event.event_type}",
            context=extract_context(headers, event),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.consumer.group.name": consumer,
                "zc.event.source": event.source,
                "zc.event.type": event.event_type,
                "zc.event.position": event.position,
                "zc.event.id": str(event.event_id),
            },
        ):
            yield
    finally:
        _applying.reset(token)


def trace_consumer(consumer: EventConsumer) -> None:
    """Every event the consumer applies (from Kafka or the feed, alone or in a page) gets a consumer span
    in its trace."""
    consumer.around = applying


# -- HTTP: the server span, the correlation id in answers and in problems ----------------------------


def instrument_app(app: FastAPI, service: str, settings: ServiceSettings) -> None:
    """Server spans for every request (continuing the caller's `traceparent`), the correlation id in
    each answer (`X-Correlation-Id`, `traceresponse`) and in the body of every problem."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    app.state.service_name = service
    provider = configure_tracing(service, settings)
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls="/health,/metrics")
    app.add_middleware(CorrelationMiddleware)
    _correlate_problems(app)


class CorrelationMiddleware:
    """Answers the request's trace as `X-Correlation-Id` and `traceresponse`; keeps the id in the
    request's state for the problem handlers (some run outside the server span)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        ids = current_ids() if scope["type"] == "http" else None
        if ids is None:
            await self.app(scope, receive, send)
            return
        trace_id, span_id = ids
        scope.setdefault("state", {})["correlation_id"] = trace_id

        async def send_with_ids(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(key.lower() == CORRELATION_HEADER.lower().encode() for key, _ in headers):
                    headers.append((CORRELATION_HEADER.lower().encode(), trace_id.encode()))
                headers.append((b"traceresponse", f"00-{trace_id}-{span_id}-01".encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_ids)


def _correlate_problems(app: FastAPI) -> None:
    """Wrap the problem handlers already installed so each problem body names its correlation id."""
    from fastapi import Request
    from fastapi.responses import JSONResponse

    def wrap(handler: Callable[..., Any]) -> Callable[..., Any]:
        async def with_correlation(request: Request, exc: Exception) -> Any:
            response = await handler(request, exc)
            correlation = request.scope.get("state", {}).get("correlation_id")
            if correlation is None:
                ids = current_ids()
                correlation = ids[0] if ids else None
            if correlation is None or not isinstance(response, JSONResponse):
                return response
            body = json.loads(bytes(response.body))
            if not isinstance(body, dict):
                return response
            body["correlation_id"] = correlation
            headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")}
            headers[CORRELATION_HEADER] = correlation
            return JSONResponse(body, status_code=response.status_code, media_type=response.media_type, headers=headers)

        return with_correlation

    for key, handler in list(app.exception_handlers.items()):
        app.exception_handlers[key] = wrap(handler)


# -- Temporal ----------------------------------------------------------------------------------------


def temporal_interceptors() -> list[Any]:
    """The interceptors of every Temporal client and worker: spans for starts, signals, workflows and
    activities, the trace carried in Temporal's headers."""
    from temporalio.contrib.opentelemetry import TracingInterceptor

    return [TracingInterceptor()]
