"""Fixed port layout of the local stack (2xxxx, below the ephemeral range), overridable per port."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

# field name -> (environment variable suffix, development default); tests use default + 1000.
_LAYOUT: dict[str, tuple[str, int]] = {
    "pg": ("PG_PORT", 24432),
    "kafka": ("KAFKA_PORT", 24092),
    "temporal": ("TEMPORAL_PORT", 24233),
    "temporal_ui": ("TEMPORAL_UI_PORT", 24234),
    "temporal_http": ("TEMPORAL_HTTP_PORT", 24235),
    "temporal_metrics": ("TEMPORAL_METRICS_PORT", 24236),
    "worker_metrics": ("WORKER_METRICS_PORT", 24237),  # the workflows worker's Prometheus endpoint
    "org": ("ORG_PORT", 24101),
    "application": ("APPLICATION_PORT", 24102),
    "review": ("REVIEW_PORT", 24103),
    "plagiarism": ("PLAGIARISM_PORT", 24104),
    "province": ("PROVINCE_PORT", 24105),  # the provincial simulator (POL-FI-1's other side)
    "web": ("WEB_PORT", 24100),  # the web application and the API routed as the gateway routes it
}
_TEST_OFFSET = 1000
# `make chaos` runs its own stack (27.5xx–27.9xx) beside a test session's; ZC_CHAOS_PORT_OFFSET moves it.
_CHAOS_OFFSET = 3500
# The highest offset keeps the layout's highest port (PostgreSQL's) below 65536. Offsets above 8000 reach
# into Linux's ephemeral range (32768–60999): allowed, since parallel sessions need room, at a small risk
# of meeting a client socket's port.
_MAX_OFFSET = 65535 - max(default for _, default in _LAYOUT.values())


@dataclass(frozen=True)
class Ports:
    pg: int
    kafka: int
    temporal: int
    temporal_ui: int
    temporal_http: int
    temporal_metrics: int
    org: int
    application: int
    review: int
    plagiarism: int
    province: int
    worker_metrics: int = 24237
    web: int = 24100

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Ports:
        """Development ports (24xxx), each overridable by ZC_<NAME>_PORT."""
        return cls._build("ZC_", 0, os.environ if environ is None else environ)

    @classmethod
    def for_tests(cls, environ: Mapping[str, str] | None = None) -> Ports:
        """Test ports (25xxx), each overridable by ZC_TEST_<NAME>_PORT; ZC_TEST_PORT_OFFSET moves the
        whole layout (e.g. 3000 for 27xxx) so that two sessions can run side by side."""
        env = os.environ if environ is None else environ
        raw = env.get("ZC_TEST_PORT_OFFSET")
        offset = _parse_offset(raw) if raw else _TEST_OFFSET
        return cls._build("ZC_TEST_", offset, env)

    @classmethod
    def for_bench(cls, environ: Mapping[str, str] | None = None) -> Ports:
        """Benchmark ports (26xxx), each overridable by ZC_BENCH_<NAME>_PORT."""
        return cls._build("ZC_BENCH_", 2 * _TEST_OFFSET, os.environ if environ is None else environ)

    @classmethod
    def for_chaos(cls, environ: Mapping[str, str] | None = None) -> Ports:
        """The chaos run's own ports (27.5xx–27.9xx by default), moved by ZC_CHAOS_PORT_OFFSET."""
        env = os.environ if environ is None else environ
        raw = env.get("ZC_CHAOS_PORT_OFFSET")
        offset = _parse_offset(raw, "ZC_CHAOS_PORT_OFFSET") if raw else _CHAOS_OFFSET
        return cls._build("ZC_CHAOS_", offset, env)

    @classmethod
    def _build(cls, prefix: str, offset: int, environ: Mapping[str, str]) -> Ports:
        values: dict[str, int] = {}
        for name, (suffix, default) in _LAYOUT.items():
            variable = prefix + suffix
            raw = environ.get(variable)
            values[name] = _parse_port(variable, raw) if raw else default + offset
        return cls(**values)

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _parse_offset(raw: str, variable: str = "ZC_TEST_PORT_OFFSET") -> int:
    try:
        offset = int(raw)
    except ValueError:
        raise ValueError(f"{variable} must be a number, got {raw!r}") from None
    if not 0 <= offset <= _MAX_OFFSET:
        raise ValueError(f"{variable} must lie in 0..{_MAX_OFFSET} (ports below 65536), got {offset}")
    return offset


def _parse_port(variable: str, raw: str) -> int:
    try:
        port = int(raw)
    except ValueError:
        raise ValueError(f"{variable}={raw!r} is not a port number") from None
    if not 0 < port < 65536:
        raise ValueError(f"{variable}={port} is out of range 1..65535")
    return port
