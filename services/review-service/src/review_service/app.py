"""review-service: committees, sessions, secret ballots, publicity, complaints, qualification documents."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from fastapi import FastAPI
from zhicheng_kernel import holiday_years
from zhicheng_kernel.auth import TokenVerifier
from zhicheng_kernel.clock import Clock
from zhicheng_kernel.context import ServiceContext
from zhicheng_kernel.pace import run_paced
from zhicheng_kernel.service import create_service_app
from zhicheng_kernel.temporal import TemporalGateway

from .adapters import tables
from .adapters.ballot_seal import ballot_seal_for
from .api import (
    blind_reviews,
    committees,
    external,
    internal,
    listings,
    panels,
    pool,
    public,
    review_requests,
    review_years,
    revocations,
    sessions,
    verification,
)
from .api import certificates as certificate_routes
from .consumers import consumers
from .context import ReviewContext
from .domain.events import CATALOGUE
from .service_layer import certificates
from .service_layer import review_years as review_year_steps
from .settings import ReviewSettings

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: ReviewSettings | None = None,
    *,
    clock: Clock | None = None,
    verifier: TokenVerifier | None = None,
) -> FastAPI:
    """The service; `clock` and `verifier` replace the settings' (tests run it in-process with their own)."""
    settings = settings or ReviewSettings()

    async def build_context(base: ServiceContext) -> ReviewContext:
        ctx = ReviewContext(
            **base.kernel_parts(),
            temporal=TemporalGateway(
                settings.temporal_address, settings.temporal_namespace, settings.workflow_task_queue
            ),
            certificate_signer=certificates.pades_signer(settings),  # NAT-10: the issuing office's key
            ballot_seal=ballot_seal_for(settings),  # NAT-2: the ballot key, outside the database (issue 12)
        )
        await holiday_years.reload(ctx, tables.holiday_years)  # the years the city office published (NAT-3)
        return ctx

    async def workflow_starter(ctx: ReviewContext) -> None:
        """The workflows Temporal did not accept at once are started here (the kernel's start outbox): after
        this process's commits (at most every ZC_WORKFLOW_START_RETRY_SECONDS) and on the quiet heartbeat."""

        async def start() -> None:
            await review_year_steps.request_current_year(ctx)  # SCHED-3: this year's, once org-service told us
            await review_year_steps.start_requested(ctx)

        await run_paced(
            "pending workflow starts",
            start,
            heartbeat=settings.quiet_heartbeat_seconds,
            wake=ctx.db.changed,
            min_gap=settings.workflow_start_retry_seconds,
        )

    async def certificate_renderer(ctx: ReviewContext) -> None:
        """NAT-10: the certificates of newly issued documents, rendered and signed in bounded rounds
        beside issuance (which never waits for a PDF): after this process's commits (at most every
        ZC_CERTIFICATE_RENDER_INTERVAL_SECONDS) and on the quiet heartbeat for other replicas' documents."""

        async def render() -> None:
            while await certificates.render_pending(ctx) >= settings.certificate_batch_size:
                await asyncio.sleep(0)  # a full round: more may be waiting

        await run_paced(
            "rendering pending certificates",
            render,
            heartbeat=settings.quiet_heartbeat_seconds,
            wake=ctx.db.changed,
            min_gap=settings.certificate_render_interval_seconds,
        )

    return create_service_app(
        "review-service",
        settings,
        title="职称评审服务 review-service",
        description="评审委员会、评审会议、无记名投票、结果公示、投诉处理与职称资格文件。",
        migrations_dir=MIGRATIONS,
        routers=[
            listings.router,
            committees.router,
            sessions.router,
            internal.router,
            verification.router,
            review_years.router,
            review_years.internal_router,
            external.router,
            revocations.router,
            certificate_routes.router,
            public.router,
            review_requests.router,
            blind_reviews.router,
            pool.router,
            *panels.routers,
        ],
        context=build_context,
        upcasters=CATALOGUE.upcasters,
        consumers=consumers(),
        background=[workflow_starter, holiday_years.kept_reloaded(tables.holiday_years), certificate_renderer],
        verifier=verifier,
        access_audit=tables.external_access,
        clock=clock,
        audit_log=tables.audit_log,  # the business audit of every command (finding 16)
    )
