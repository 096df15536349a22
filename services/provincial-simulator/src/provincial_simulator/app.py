"""The provincial simulator's HTTP API (the province's side of the contract in docs/provincial/).

POST /oauth2/token                                          city: client credentials + RFC 7523 assertion
POST /api/v1/filings                                        city: a push batch's filing (idempotent by filing_id)
GET  /api/v1/filings/{filing_id}                            city (its own) or reviewer: each application's verdict
GET  /api/v1/filings?status=pending                         reviewer: filings with undecided applications
POST /api/v1/filings/{filing_id}/items/{application_id}/verdict   reviewer: approve or return one application
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, Form, Header, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import Row, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from zhicheng_kernel.clock import Clock, SystemClock
from zhicheng_kernel.provincial import (
    FILING_SCOPE,
    FilingReceipt,
    FilingStatus,
    FilingSubmission,
    ItemVerdict,
    LongText,
    Text,
    TokenResponse,
    Verdict,
    VerdictCallback,
    VerdictData,
)
from zhicheng_kernel.signing import CLIENT_ASSERTION_TYPE

from .auth import TokenIssuer, check_reviewer, verify_assertion
from .delivery import Deliverer, delivery_id
from .errors import BodyLimit, ProblemBody, ProvinceError, install_error_handlers
from .settings import SimulatorSettings
from .tables import deliveries, filings, items, metadata

FilingId = Annotated[str, Path(min_length=1, max_length=100)]
ApplicationId = Annotated[str, Path(min_length=1, max_length=100)]
MAX_LISTED = 500


class VerdictRequest(BaseModel):
    """The provincial reviewer's decision on one application of a filing."""

    model_config = ConfigDict(extra="forbid")

    verdict: Verdict
    reasons: list[LongText] = Field(default_factory=list, max_length=20)
    reviewer: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class PendingFiling(BaseModel):
    filing_id: str
    client_id: str
    city_name: Text
    year: int
    series: Text
    level: Text
    office_name: Text
    received_at: datetime
    items: int
    pending_application_ids: list[str]


class FilingList(BaseModel):
    filings: list[PendingFiling]


class Health(BaseModel):
    status: Literal["ok"] = "ok"


@dataclass
class Simulator:
    settings: SimulatorSettings
    engine: AsyncEngine
    tokens: TokenIssuer
    deliverer: Deliverer
    clock: Clock


def _simulator(request: Request) -> Simulator:
    simulator: Simulator = request.app.state.simulator
    return simulator


SimulatorDep = Annotated[Simulator, Depends(_simulator)]
Authorization = Annotated[str | None, Header(max_length=5000)]

_UNAUTHORIZED: dict[int | str, dict[str, Any]] = {401: {"model": ProblemBody, "description": "missing or bad token"}}


def create_app(settings: SimulatorSettings, clock: Clock | None = None) -> FastAPI:
    the_clock = clock or SystemClock()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.check_complete()
        engine = create_async_engine(settings.database_url, pool_size=5, max_overflow=5)
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        deliverer = Deliverer(engine, settings, the_clock)
        app.state.simulator = Simulator(
            settings, engine, TokenIssuer(settings.province_token_seconds), deliverer, the_clock
        )
        task = asyncio.create_task(deliverer.run(), name="verdict-delivery")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await engine.dispose()

    app = FastAPI(
        title="Provincial title office — pre-review filing API (simulator)",
        version="1.0.0",
        description=(
            "The province's side of POL-FI-1 (事中监管要求各市州的关键信息审核，调整为提交评委会评审前报省职改办审核). "
            'Errors are {"error": code, "detail": Chinese text}. See docs/provincial/README.md.'
        ),
        lifespan=lifespan,
    )
    app.add_middleware(BodyLimit)
    install_error_handlers(app)
    _routes(app)
    return app


def _routes(app: FastAPI) -> None:
    @app.get("/health", response_model=Health, tags=["ops"])
    async def health() -> Health:
        return Health()

    @app.post(
        "/oauth2/token",
        response_model=TokenResponse,
        tags=["oauth2"],
        responses={
            400: {"model": ProblemBody, "description": "unsupported grant, assertion type or scope"},
            401: {"model": ProblemBody, "description": "invalid_client: bad, expired or replayed assertion"},
        },
    )
    async def token(
        sim: SimulatorDep,
        grant_type: Annotated[str, Form(max_length=100)],
        client_assertion_type: Annotated[str, Form(max_length=200)],
        client_assertion: Annotated[str, Form(max_length=4096)],
        scope: Annotated[str, Form(max_length=200)] = FILING_SCOPE,
    ) -> TokenResponse:
        """OAuth2 client credentials with a signed client assertion (RFC 7523 §2.2, `private_key_jwt`):
        `iss` = `sub` = the client id, `aud` = this endpoint's URL, a unique `jti`, at most 5 minutes."""
        if grant_type != "client_credentials":
            raise ProvinceError(400, "unsupported_grant_type", "仅支持 client_credentials")
        if client_assertion_type != CLIENT_ASSERTION_TYPE:
            raise ProvinceError(400, "invalid_request", "client_assertion_type 必须为 jwt-bearer")
        if scope.split() != [FILING_SCOPE]:
            raise ProvinceError(400, "invalid_scope", "仅支持 filing 权限")
        now = sim.clock.now()
        async with sim.engine.begin() as conn:
            client_id = await verify_assertion(conn, sim.settings, client_assertion, now)
        return TokenResponse(
            access_token=sim.tokens.issue(client_id, now), expires_in=sim.tokens.lifetime, scope=FILING_SCOPE
        )

    @app.post(
        "/api/v1/filings",
        response_model=FilingReceipt,
        status_code=202,
        tags=["filings"],
        responses={
            200: {"model": FilingReceipt, "description": "the same filing again: duplicate=true, nothing new"},
            409: {"model": ProblemBody, "description": "another body under the same filing_id"},
            413: {"model": ProblemBody, "description": "body above 5 MB"},
            422: {"model": ProblemBody, "description": "invalid body, Idempotency-Key or callback_url"},
            **_UNAUTHORIZED,
        },
    )
    async def submit(
        sim: SimulatorDep,
        submission: FilingSubmission,
        response: Response,
        authorization: Authorization = None,
        idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
    ) -> FilingReceipt:
        """A push batch's key information. Idempotent by `filing_id` (also the `Idempotency-Key`):
        the province sees one filing however often the city sends it."""
        client_id = sim.tokens.client_of(authorization)
        if idempotency_key != submission.filing_id:
            raise ProvinceError(422, "invalid_idempotency_key", "Idempotency-Key 必须等于 filing_id")
        _check_callback(sim.settings, submission.callback_url)
        application_ids = [item.application_id for item in submission.items]
        if len(set(application_ids)) != len(application_ids):
            raise ProvinceError(422, "duplicate_application", "同一报送批次中申报重复")
        body = submission.model_dump(mode="json")
        body_hash = hashlib.sha256(submission.model_dump_json().encode()).hexdigest()
        now = sim.clock.now()
        async with sim.engine.begin() as conn:
            inserted = await conn.execute(
                insert(filings)
                .values(
                    filing_id=submission.filing_id,
                    client_id=client_id,
                    body_hash=body_hash,
                    body=body,
                    callback_url=submission.callback_url,
                    received_at=now,
                )
                .on_conflict_do_nothing()
                .returning(filings.c.received_at)
            )
            if inserted.first() is not None:
                await conn.execute(
                    items.insert(),
                    [
                        {"filing_id": submission.filing_id, "application_id": aid, "position": n}
                        for n, aid in enumerate(application_ids)
                    ],
                )
                return FilingReceipt(filing_id=submission.filing_id, received_at=now, items=len(application_ids))
            existing = (await conn.execute(select(filings).where(filings.c.filing_id == submission.filing_id))).one()
        if existing.client_id != client_id or existing.body_hash != body_hash:
            raise ProvinceError(409, "filing_conflict", "该报送编号已用于内容不同的报送")
        response.status_code = 200
        return FilingReceipt(
            filing_id=submission.filing_id,
            received_at=existing.received_at,
            items=len(application_ids),
            duplicate=True,
        )

    @app.get(
        "/api/v1/filings",
        response_model=FilingList,
        tags=["reviewer"],
        responses={**_UNAUTHORIZED},
    )
    async def list_filings(
        sim: SimulatorDep,
        authorization: Authorization = None,
        status: Annotated[Literal["pending", "all"], Query()] = "pending",
    ) -> FilingList:
        """The provincial reviewer's list: filings with applications not decided yet (or all)."""
        check_reviewer(sim.settings, authorization)
        async with sim.engine.connect() as conn:
            rows = (await conn.execute(select(filings).order_by(filings.c.received_at).limit(MAX_LISTED))).all()
            undecided = (
                await conn.execute(
                    select(items.c.filing_id, items.c.application_id)
                    .where(items.c.verdict.is_(None))
                    .order_by(items.c.filing_id, items.c.position)
                )
            ).all()
            counted = await conn.execute(select(items.c.filing_id, func.count()).group_by(items.c.filing_id))
            counts: dict[str, int] = {str(filing_id): int(n) for filing_id, n in counted.all()}
        pending: dict[str, list[str]] = {}
        for filing_id, application_id in undecided:
            pending.setdefault(filing_id, []).append(application_id)
        listed = [
            _pending_filing(row, counts.get(row.filing_id, 0), pending.get(row.filing_id, []))
            for row in rows
            if status == "all" or row.filing_id in pending
        ]
        return FilingList(filings=listed)

    @app.get(
        "/api/v1/filings/{filing_id}",
        response_model=FilingStatus,
        tags=["filings"],
        responses={404: {"model": ProblemBody, "description": "no such filing (of this client)"}, **_UNAUTHORIZED},
    )
    async def filing_status(
        sim: SimulatorDep, filing_id: FilingId, authorization: Authorization = None
    ) -> FilingStatus:
        """Each application's verdict so far (the city's own filings; the reviewer sees every filing)."""
        client_id = _client_or_reviewer(sim, authorization)
        async with sim.engine.connect() as conn:
            filing = (await conn.execute(select(filings).where(filings.c.filing_id == filing_id))).first()
            if filing is None or (client_id is not None and filing.client_id != client_id):
                raise ProvinceError(404, "filing_not_found", "报送不存在")
            rows = (
                await conn.execute(select(items).where(items.c.filing_id == filing_id).order_by(items.c.position))
            ).all()
        return FilingStatus(filing_id=filing_id, received_at=filing.received_at, items=[_verdict(r) for r in rows])

    @app.post(
        "/api/v1/filings/{filing_id}/items/{application_id}/verdict",
        response_model=ItemVerdict,
        tags=["reviewer"],
        responses={
            404: {"model": ProblemBody, "description": "no such application in this filing"},
            409: {"model": ProblemBody, "description": "already decided differently"},
            422: {"model": ProblemBody, "description": "a return without reasons"},
            **_UNAUTHORIZED,
        },
    )
    async def decide(
        sim: SimulatorDep,
        filing_id: FilingId,
        application_id: ApplicationId,
        decision: VerdictRequest,
        authorization: Authorization = None,
    ) -> ItemVerdict:
        """The provincial reviewer approves or returns one application. Deciding again the same way
        changes nothing; differently is refused (409). The verdict is then delivered to the filing's
        callback_url as a signed Standard Webhook, retried until the city answers 2xx."""
        check_reviewer(sim.settings, authorization)
        reasons = [reason.strip() for reason in decision.reasons if reason.strip()]
        if decision.verdict == "returned" and not reasons:
            raise ProvinceError(422, "reasons_required", "退回须说明理由")
        now = sim.clock.now()
        async with sim.engine.begin() as conn:
            filing = (
                await conn.execute(select(filings.c.callback_url).where(filings.c.filing_id == filing_id))
            ).first()
            item = (
                await conn.execute(
                    select(items)
                    .where(items.c.filing_id == filing_id, items.c.application_id == application_id)
                    .with_for_update()
                )
            ).first()
            if filing is None or item is None:
                raise ProvinceError(404, "item_not_found", "该报送中没有此申报")
            if item.verdict is not None:
                if item.verdict != decision.verdict or list(item.reasons) != reasons:
                    raise ProvinceError(409, "already_decided", "该申报已作出不同的审核意见")
                return _verdict(item)
            await conn.execute(
                update(items)
                .where(items.c.filing_id == filing_id, items.c.application_id == application_id)
                .values(verdict=decision.verdict, reasons=reasons, decided_at=now, reviewer=decision.reviewer)
            )
            callback = VerdictCallback(
                timestamp=now,
                data=VerdictData(
                    filing_id=filing_id,
                    application_id=application_id,
                    verdict=decision.verdict,
                    reasons=reasons,
                    decided_at=now,
                    reviewer=decision.reviewer,
                ),
            )
            await conn.execute(
                insert(deliveries).values(
                    webhook_id=delivery_id(filing_id, application_id),
                    filing_id=filing_id,
                    application_id=application_id,
                    url=filing.callback_url,
                    body=callback.model_dump_json(),
                    created_at=now,
                    next_attempt_at=now,
                )
            )
        sim.deliverer.wake.set()
        return ItemVerdict(application_id=application_id, verdict=decision.verdict, reasons=reasons, decided_at=now)


def _client_or_reviewer(sim: Simulator, authorization: str | None) -> str | None:
    """The calling city's client id, or None for the provincial reviewer."""
    try:
        check_reviewer(sim.settings, authorization)
    except ProvinceError:
        return sim.tokens.client_of(authorization)
    return None


def _check_callback(settings: SimulatorSettings, url: str) -> None:
    """The callback URL's host:port must be one the province registered (no SSRF through callbacks)."""
    parts = urlsplit(url)
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        port = None
    host = (parts.hostname or "").lower()
    allowed = parts.scheme in ("http", "https") and port is not None and f"{host}:{port}" in settings.callback_hosts
    if not host or not allowed:
        raise ProvinceError(422, "callback_not_allowed", "回调地址不在省级系统登记的地址范围内")


def _verdict(row: Row[Any]) -> ItemVerdict:
    return ItemVerdict(
        application_id=row.application_id, verdict=row.verdict, reasons=list(row.reasons), decided_at=row.decided_at
    )


def _pending_filing(row: Row[Any], count: int, pending: list[str]) -> PendingFiling:
    body = row.body
    return PendingFiling(
        filing_id=row.filing_id,
        client_id=row.client_id,
        city_name=body["city_name"],
        year=body["year"],
        series=body["series"],
        level=body["level"],
        office_name=body["office_name"],
        received_at=row.received_at,
        items=count,
        pending_application_ids=pending,
    )
