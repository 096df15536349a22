"""Structured logs: one JSON object a line, the same for every service and the workflows worker.

Each line has `timestamp` (UTC, ISO 8601), `level`, `logger`, `message`, `service`, and — inside a
request, an event being applied or an activity — `trace_id`, `span_id` and `correlation_id` (the
trace id: the same id the answer's `X-Correlation-Id` and the problem body carry), plus `request_id`.

What a line must never hold is masked before it is written, whatever a caller logged: passwords and
secrets (`password=…`, `"client_secret": "…"`), bearer tokens and ID-card numbers. Ballot contents are
never logged by the code that handles them; the test of this module proves a ballot's lines hold none.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from .origin import current_origin
from .settings import ServiceSettings
from .telemetry import current_ids

# An 18-character resident ID number (17 digits and a digit or X) or a 15-digit old one, not inside a longer number.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}")
_SECRET_FIELD = re.compile(
    r"""(?ix)
    (["']?(?:password|new_password|old_password|passwd|secret|client_secret|token|access_token|refresh_token)["']?
     \s*[:=]\s*)
    ("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,;&}]+)
    """
)
MASK = "***"


def redact(text: str) -> str:
    """`text` without passwords, secrets, tokens or ID numbers."""
    text = _SECRET_FIELD.sub(lambda m: m.group(1) + MASK, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    return _ID_NUMBER.sub(MASK, text)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "service": self.service,
        }
        ids = current_ids()
        if ids is not None:
            line["trace_id"], line["span_id"] = ids
            line["correlation_id"] = ids[0]
        origin = current_origin.get()
        if origin is not None:
            line["request_id"] = origin.request_id
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class RedactingFormatter(logging.Formatter):
    """Plain text for a terminal (`ZC_LOG_JSON=false`), masked the same way, with the trace id."""

    def format(self, record: logging.LogRecord) -> str:
        ids = current_ids()
        record.trace = ids[0] if ids else "-"
        return redact(super().format(record))


def configure_logging(service: str, settings: ServiceSettings, level: int = logging.INFO) -> None:
    """The root logger writes one formatted line a record to stderr; uvicorn's loggers go through it."""
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_json:
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s [%(trace)s] %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    # httpx logs each request at INFO: a quiet service's feed heartbeat would write lines while it does
    # nothing (issue 14, item 4). Calls to other services are in the traces and metrics; failures still log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
