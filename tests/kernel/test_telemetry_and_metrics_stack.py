"""Traces and metrics on the real stack: one trace id leads from an HTTP request to org-service, through
the event it appended (Kafka or the feed), to application-service's consumer applying it — read from
the services' OTLP files —, and each service's /metrics has its relay's and consumers' series."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry import context, propagate

from tests.api_client import Api, bearer, random_credit_code, unique_name
from tests.harness import Stack, wait_for

pytestmark = pytest.mark.stack

TRACED = ("org-service", "application-service")


@pytest.fixture(scope="module")
def traced(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """org- and application-service restarted with ZC_OTEL_EXPORTER=file; restored as they were after."""
    folder = tmp_path_factory.mktemp("traces")
    files = {name: folder / f"{name}.jsonl" for name in TRACED}
    for name in TRACED:
        stack.stop(name)
        stack.start(name, {"ZC_OTEL_EXPORTER": "file", "ZC_OTEL_FILE": str(files[name])})
    try:
        yield files
    finally:
        for name in TRACED:
            stack.stop(name)
            stack.start(name)


def spans(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def of_trace(path: Path, trace_id: str) -> list[dict[str, Any]]:
    return [s for s in spans(path) if s["context"]["trace_id"] == f"0x{trace_id}"]


def test_one_trace_id_spans_the_request_its_event_and_the_consumer_in_another_service(
    stack: Stack, traced: dict[str, Path]
) -> None:
    api = Api(stack)
    trace_id, parent = secrets.token_hex(16), secrets.token_hex(8)
    body = {
        "name": unique_name("平凉市追踪测试局"),
        "kind": "government_department",
        "level": "city",
        "division_code": "620800",
        "function": "other",
        "credit_code": random_credit_code(),
    }
    token = api.admin_token()
    caller = {"traceparent": f"00-{trace_id}-{parent}-01"}
    # The caller's trace is the current context too: if this process's httpx is instrumented (an earlier
    # test configured tracing here), its client span continues the same trace instead of starting one.
    attached = context.attach(propagate.extract(caller))
    try:
        r = api.http.post(api.url("org-service", "/api/v1/orgs"), json=body, headers=bearer(token) | caller)
    finally:
        context.detach(attached)
    assert r.status_code == 201, r.text
    assert r.headers["x-correlation-id"] == trace_id
    assert r.headers["traceresponse"].startswith(f"00-{trace_id}-")

    # The server span continues the caller's trace.
    def server_spans() -> list[dict[str, Any]]:
        return [s for s in of_trace(traced["org-service"], trace_id) if s["kind"] == "SpanKind.SERVER"]

    (server, *_) = wait_for(server_spans, what="org-service's server span of the request")
    assert server["parent_id"] and server["name"].startswith("POST /api/v1/orgs")

    def appended() -> list[dict[str, Any]]:
        after, found = 0, []
        while True:
            page = api.http.get(
                api.url("org-service", "/api/v1/events"),
                params={"after": after, "limit": 500},
                headers=bearer(api.feed_token("org-service")),
            ).json()["events"]
            found += [e for e in page if e["correlation_id"].replace("-", "") == trace_id]
            if len(page) < 500:
                return found
            after = page[-1]["position"]

    events = wait_for(appended, what="the org's events")
    assert "OrganizationCreated" in {e["event_type"] for e in events}

    # application-service applied it in the same trace.
    def consumer_span() -> list[dict[str, Any]]:
        return [
            s
            for s in of_trace(traced["application-service"], trace_id)
            if s["name"] == "apply org-service OrganizationCreated"
        ]

    (applied, *_) = wait_for(consumer_span, timeout=60, what="application-service's consumer span")
    assert applied["kind"] == "SpanKind.CONSUMER"
    assert applied["attributes"]["zc.event.source"] == "org-service"
    assert applied["resource"]["attributes"]["service.name"] == "application-service"


def test_metrics_show_requests_relay_and_consumers_and_are_refused_through_the_gateway(
    stack: Stack, traced: dict[str, Path]
) -> None:
    api = Api(stack)
    api.admin_token()

    def scrape(service: str) -> str:
        r = api.http.get(api.url(service, "/metrics"))
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/plain")
        return r.text

    def relay_published() -> bool:
        return any(
            line.startswith("zc_relay_published_position ") and float(line.split()[1]) > 0
            for line in scrape("org-service").splitlines()
        )

    wait_for(relay_published, what="org-service's relay published")
    org = scrape("org-service")
    for series in ("zc_relay_head_position", "zc_relay_lag_events", "zc_relay_leader", "zc_workflow_starts_pending"):
        assert f"\n{series} " in org, series
    assert 'zc_http_requests_total{method="POST",route="/api/v1/auth/token",status="200"}' in org

    application = scrape("application-service")
    watermark = [
        line
        for line in application.splitlines()
        if line.startswith('zc_consumer_watermark{consumer="application-service.projections",source="org-service"}')
    ]
    assert watermark and float(watermark[0].split()[-1]) > 0
    for series in ("zc_consumer_lag_events", "zc_consumer_last_error_age_seconds", "zc_consumer_source_parked"):
        assert f'{series}{{consumer="application-service.projections",source="org-service"}}' in application
    assert 'zc_dead_letters_open{consumer="application-service.projections"}' in application

    refused = api.http.get(api.url("org-service", "/metrics"), headers={"X-Zc-Edge": "public"})
    assert refused.status_code == 403 and refused.json()["code"] == "metrics_internal"
