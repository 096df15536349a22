"""Wiring: settings → clock → context → routers and consumers, nothing built at import time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.auth import TokenVerifier
from zhicheng_kernel.consumer import Handler, Subscription
from zhicheng_kernel.envelope import EventEnvelope
from zhicheng_kernel.eventstore import EventStore
from zhicheng_kernel.service import ConsumerSpec, ServiceRuntime, create_service_app
from zhicheng_kernel.settings import ServiceSettings

from .adapters.clock import Clock
from .api import applications, pushes, registries, schedules
from .projections import orgs
from .service_layer import reactions
from .service_layer.context import Context
from .service_layer.registries import seed_if_empty
from .settings import ApplicationSettings, clock_from, publicity_working_days

NAME = "application-service"
CONSUMER = "application-service.projections"
MIGRATIONS = Path(__file__).parent / "migrations"

StoreHandler = Callable[[EventStore, AsyncConnection, EventEnvelope], Awaitable[None]]


def create_app(
    settings: ServiceSettings | None = None,
    *,
    clock: Clock | None = None,
    verifier: TokenVerifier | None = None,
) -> FastAPI:
    settings = settings or ApplicationSettings()
    the_clock = clock or clock_from(settings)
    # The store exists only once the runtime starts; consumer handlers reach it through this holder.
    holder: dict[str, ServiceRuntime] = {}

    def with_store(handler: StoreHandler) -> Handler:
        async def handle(conn: AsyncConnection, event: EventEnvelope) -> None:
            await handler(holder["runtime"].store, conn, event)

        return handle

    async def wire(runtime: ServiceRuntime) -> None:
        holder["runtime"] = runtime
        runtime.extras["clock"] = the_clock
        context = Context(
            db=runtime.db,
            store=runtime.store,
            clock=the_clock,
            attachments_dir=getattr(settings, "attachments_dir", Context.attachments_dir),
            publicity_working_days=publicity_working_days(settings),
        )
        runtime.extras["context"] = context
        await seed_if_empty(context)  # the sample registries and the 2021 schedule, into empty streams only

    consumers = [
        ConsumerSpec(
            CONSUMER,
            [
                Subscription(
                    "org-service",
                    {
                        "OrganizationCreated": orgs.on_organization_created,
                        "ApplicantRegistered": orgs.on_applicant_registered,
                    },
                ),
                Subscription(
                    "plagiarism-service",
                    {
                        "PaperCheckCompleted": with_store(reactions.record_paper_check),
                        "PaperCheckRejected": with_store(reactions.record_paper_check_rejected),
                    },
                ),
                Subscription(
                    "review-service",
                    {
                        "QualificationDocumentIssued": with_store(reactions.record_document_issued),
                        "VotesTallied": with_store(reactions.record_votes_tallied),
                        "ComplaintResolved": with_store(reactions.record_complaint_resolved),
                        "CommitteeSessionOpened": with_store(reactions.record_session_opened),
                        "ResultsPublished": with_store(reactions.record_results_published),
                    },
                ),
            ],
        )
    ]
    return create_service_app(
        NAME,
        settings,
        title="职称申报服务 application-service",
        description="职称申报、逐级审核（单位→主管部门→职改办）、论文查重结果、向评委会推送。",
        migrations_dir=MIGRATIONS,
        routers=[applications.router, pushes.router, schedules.router, registries.router],
        consumers=consumers,
        verifier=verifier,
        on_startup=[wire],
    )
