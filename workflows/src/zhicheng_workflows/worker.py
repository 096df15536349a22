"""`python -m zhicheng_workflows.worker`: runs every workflow of the system and their activities."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import timedelta

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import Worker
from zhicheng_kernel.auth import ServiceCredentials
from zhicheng_kernel.logs import configure_logging
from zhicheng_kernel.settings import ServiceSettings
from zhicheng_kernel.telemetry import configure_tracing, temporal_interceptors

from .committee_session.activities import ReviewActivities
from .committee_session.workflows import CommitteeSessionWorkflow
from .filing.activities import FilingActivities
from .filing.workflows import ProvincialFilingWorkflow
from .push_window.activities import PushWindowActivities
from .push_window.workflows import PushWindowWorkflow
from .review_year.activities import ReviewYearActivities
from .review_year.workflows import ReviewYearWorkflow

log = logging.getLogger("zhicheng_workflows.worker")

WORKER_NAME = "zhicheng-workflows"
_runtime: Runtime | None = None


def worker_runtime(settings: ServiceSettings) -> Runtime:
    """Temporal's runtime of the worker process, its metrics (task queues, schedule-to-start latency,
    workflow and activity outcomes) served for Prometheus at ZC_WORKER_METRICS_PORT (none when 0)."""
    global _runtime
    if _runtime is None:
        if settings.worker_metrics_port:
            address = f"{settings.http_host}:{settings.worker_metrics_port}"
            _runtime = Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address)))
        else:
            _runtime = Runtime.default()
    return _runtime


def build_worker(client: Client, settings: ServiceSettings, task_queue: str | None = None) -> Worker:
    credentials = ServiceCredentials(
        f"{settings.org_url}/api/v1/auth/token", settings.service_client_id, settings.service_client_secret
    )
    activities = ReviewActivities(settings.review_url, credentials)
    review_year_activities = ReviewYearActivities(settings.review_url, credentials)
    push_window_activities = PushWindowActivities(settings.application_url, credentials)
    filing = FilingActivities(settings.application_url, credentials)
    return Worker(
        client,
        task_queue=task_queue or settings.workflow_task_queue,
        workflows=[
            CommitteeSessionWorkflow,
            ReviewYearWorkflow,
            PushWindowWorkflow,
            ProvincialFilingWorkflow,
        ],
        activities=[
            *activities.all(),
            *review_year_activities.all(),
            *push_window_activities.all(),
            *filing.all(),
        ],
        # After a server or worker restart, do not wait 10 s for the lost sticky queue.
        sticky_queue_schedule_to_start_timeout=timedelta(seconds=1),
        graceful_shutdown_timeout=timedelta(seconds=10),
    )


async def main() -> None:
    settings = ServiceSettings()
    configure_logging(WORKER_NAME, settings)
    configure_tracing(WORKER_NAME, settings)
    client = await connect(settings)
    worker = build_worker(client, settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with worker:
        log.info("worker on %s, task queue %s", settings.temporal_address, settings.workflow_task_queue)
        await stop.wait()
        log.info("shutting down")


async def connect(settings: ServiceSettings) -> Client:
    """Connect, waiting for the server if it is still starting."""
    delay = 0.2
    while True:
        try:
            return await Client.connect(
                settings.temporal_address,
                namespace=settings.temporal_namespace,
                data_converter=pydantic_data_converter,
                # Workflows and activities continue the trace of whoever started or signalled them.
                interceptors=temporal_interceptors(),
                runtime=worker_runtime(settings),
            )
        except Exception as exc:
            log.warning("Temporal at %s not reachable (%s); retrying", settings.temporal_address, exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


if __name__ == "__main__":
    asyncio.run(main())
