"""Structured logs without servers: one JSON object a line with the trace, and nothing secret in it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from zhicheng_kernel.logs import JsonFormatter, configure_logging, redact
from zhicheng_kernel.settings import ServiceSettings
from zhicheng_kernel.telemetry import configure_tracing, tracer

ID_NUMBER = "62080219800101001X"


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("unit-service"))
    logger = logging.getLogger("zc.test.logs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_line_is_one_json_object_with_the_trace_of_its_request(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    configure_tracing("unit-tests", ServiceSettings())
    logger.info("outside %s", "一切")
    with tracer().start_as_current_span("request") as span:
        logger.warning("inside")
        trace_id = format(span.get_span_context().trace_id, "032x")
        span_id = format(span.get_span_context().span_id, "016x")
    outside, inside = lines(stream)
    assert outside["message"] == "outside 一切" and outside["level"] == "INFO"
    assert outside["service"] == "unit-service" and outside["logger"] == "zc.test.logs"
    assert "trace_id" not in outside and str(outside["timestamp"]).endswith("+00:00")
    assert inside["trace_id"] == trace_id == inside["correlation_id"] and inside["span_id"] == span_id


def test_passwords_tokens_and_id_numbers_never_reach_a_line(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    logger.info("login form username=%s password=%s", "6208000001-yw01", "Zc-s3cret-9")
    logger.info("body %s", {"old_password": "Old-Pass-1", "new_password": "New-Pass-2", "client_secret": "cs-123"})
    logger.info("header Authorization: Bearer eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl")
    logger.info("registered %s", ID_NUMBER)
    try:
        raise ValueError(f"cannot register {ID_NUMBER} with password=Zc-s3cret-9")
    except ValueError:
        logger.exception("failed")
    text = stream.getvalue()
    for secret in ("Zc-s3cret-9", "Old-Pass-1", "New-Pass-2", "cs-123", "eyJhbGciOiJFZERTQSJ9", ID_NUMBER):
        assert secret not in text, secret
    assert "6208000001-yw01" in text  # a username is not a secret
    assert all(line["service"] == "unit-service" for line in lines(stream))


def test_redaction_leaves_ordinary_numbers_alone() -> None:
    assert redact("position 1234567 of 20 events") == "position 1234567 of 20 events"
    assert redact("id 620802198001010011") == "id ***"
    assert redact('{"password": "a b c", "x": 1}') == '{"password": ***, "x": 1}'


def test_configure_logging_routes_every_logger_through_one_json_handler() -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_logging("unit-service", ServiceSettings())
        assert len(root.handlers) == 1 and isinstance(root.handlers[0].formatter, JsonFormatter)
        assert logging.getLogger("uvicorn.error").propagate and not logging.getLogger("uvicorn.error").handlers
        configure_logging("unit-service", ServiceSettings(log_json=False))
        assert not isinstance(root.handlers[0].formatter, JsonFormatter)
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
