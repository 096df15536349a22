"""The workflows worker's own metrics: Temporal's runtime serves them for Prometheus on the port its
settings name, and its clients carry the tracing interceptor."""

from __future__ import annotations

import socket

import httpx
from temporalio.contrib.opentelemetry import TracingInterceptor
from zhicheng_kernel.settings import ServiceSettings
from zhicheng_kernel.telemetry import temporal_interceptors
from zhicheng_workflows import worker


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_worker_runtime_serves_prometheus_metrics_on_its_port() -> None:
    port = free_port()
    saved = worker._runtime
    worker._runtime = None
    try:
        runtime = worker.worker_runtime(ServiceSettings(worker_metrics_port=port))
        assert worker.worker_runtime(ServiceSettings(worker_metrics_port=port)) is runtime  # one per process
        r = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
        assert r.status_code == 200
    finally:
        worker._runtime = saved


def test_temporal_clients_and_the_worker_trace_through_one_interceptor() -> None:
    (interceptor,) = temporal_interceptors()
    assert isinstance(interceptor, TracingInterceptor)
