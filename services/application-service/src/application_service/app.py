"""Wiring: settings → context → routers and consumers, nothing built at import time."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from fastapi import FastAPI
from zhicheng_kernel import holiday_years
from zhicheng_kernel.auth import TokenVerifier
from zhicheng_kernel.clock import Clock
from zhicheng_kernel.context import ServiceContext
from zhicheng_kernel.service import create_service_app
from zhicheng_kernel.temporal import TemporalGateway
from zhicheng_kernel.workflow_starts import start_pending

from .adapters import tables
from .adapters.province import province_from
from .api import (
    applications,
    calendar,
    external,
    filings,
    integrity,
    my_applications,
    office,
    push_list,
    push_windows,
    pushes,
    quotas,
    recommendations,
    registries,
    schedules,
    similarity,
)
from .consumers import consumers
from .context import Context
from .domain.push_window import WindowSettings
from .service_layer.registries import publish_schedule_2021_if_absent
from .settings import ApplicationSettings

NAME = "application-service"
log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: ApplicationSettings | None = None,
    *,
    clock: Clock | None = None,
    verifier: TokenVerifier | None = None,
) -> FastAPI:
    config = settings or ApplicationSettings()

    async def build_context(base: ServiceContext) -> Context:
        ctx = Context(
            **base.kernel_parts(),
            attachments_dir=config.attachments_dir,
            nat5_publicity_seconds=config.nat5_publicity_seconds,
            temporal=TemporalGateway(config.temporal_address, config.temporal_namespace, config.workflow_task_queue),
            push_windows=WindowSettings(
                reminder_offsets_seconds=tuple(config.push_window_reminder_offsets()),
                recheck_seconds=config.push_window_recheck_seconds,
                compressed_seconds=config.push_window_seconds,
            ),
            province=province_from(config),
            filing_escalate_delivery_after_seconds=config.filing_escalate_delivery_after_seconds,
            filing_verdict_deadline_seconds=config.filing_verdict_deadline_seconds,
            filing_recheck_seconds=config.filing_recheck_seconds,
        )
        await holiday_years.reload(ctx, tables.holiday_years)  # the years the city office published
        return ctx

    async def workflow_starter(ctx: Context) -> None:
        """Workflows requested with their events and not yet accepted by Temporal are started here."""
        assert ctx.temporal is not None
        while True:
            try:
                await start_pending(ctx.db, tables.workflow_starts, ctx.temporal)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("pending workflow starts failed: %s", exc)
            await asyncio.sleep(config.workflow_start_retry_seconds)

    return create_service_app(
        NAME,
        config,
        title="职称申报服务 application-service",
        description="职称申报、逐级审核（单位→主管部门→职改办）、论文查重结果、向评委会推送。",
        migrations_dir=MIGRATIONS,
        routers=[
            office.router,  # before applications.router: its paths are not an application's id
            applications.router,
            pushes.router,
            push_list.router,
            filings.router,
            filings.internal,
            filings.callbacks,
            quotas.router,
            schedules.router,
            registries.router,
            calendar.router,
            similarity.router,
            push_windows.router,
            external.router,
            integrity.router,
            recommendations.router,
            my_applications.router,
            office.overview,
        ],
        context=build_context,
        consumers=consumers(),
        verifier=verifier,
        clock=clock,
        background=[holiday_years.kept_reloaded(tables.holiday_years), workflow_starter],
        on_startup=[publish_schedule_2021_if_absent],  # the notice's 2021 schedule; no sample registry
        access_audit=tables.external_access,
        audit_log=tables.audit_log,  # the business audit of every command (finding 16)
    )
