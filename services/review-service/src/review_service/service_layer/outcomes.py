"""The steps the session workflow drives: tally, publish, issue documents, close. Each is idempotent:
a step already done answers with what it did, and a concurrent second call is retried by the unit
of work from a fresh load, where it finds the step done."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import delete, select
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import Conflict, DomainError, Forbidden
from zhicheng_kernel.events import DomainEvent
from zhicheng_kernel.unit_of_work import UnitOfWork, execute

from ..adapters import ballot_box
from ..adapters.ballot_seal import BallotSeal, UnreadableBallot
from ..adapters.tables import documents, session_sittings
from ..context import ReviewContext
from ..domain.events import SESSION, Vote
from ..domain.rules import check_review_year_open, publicity_calendar_note, publicity_ends_at
from ..domain.session import Session
from . import review_years
from .documents import issue_to_candidate
from .views import ClosedView, DocumentRef, IssueReport, PublishedView, TallyView

SERVICE_ACTOR = "review-service"


def _meta(actor: str) -> Metadata:
    return Metadata(actor=actor or SERVICE_ACTOR)


async def tally(ctx: ReviewContext, session_id: str, actor: str) -> TallyView:
    """NAT-2: once the vote is over, the boxes still in the private box go into the stream in one
    BallotsCollected event (re-sealed, shuffled), then every box is opened with the ballot key and
    counted (Session.tally_votes); the tally's event carries the counts only, never a ballot."""

    async def action(uow: UnitOfWork) -> TallyView:
        await ballot_box.lock(uow.conn, session_id)
        session = await ctx.session(uow.conn, session_id)
        year_closed = _year_takes_no_ballots(ctx, session)
        over = session.tally is None and session.vote_over(ctx.settings.quorum, year_closed=year_closed)
        events: list[DomainEvent] = []
        if over and session.held:
            collected = session.collect_ballots(await ballot_box.empty(uow.conn, ctx.ballots, session_id))
            assert collected is not None
            session.apply(collected)
            events.append(collected)
        tallied = session.tally_votes(
            ctx.settings.quorum,
            ctx.settings.pass_threshold,
            opened=open_boxes(ctx.ballots, session) if over else [],
            year_closed=year_closed,
        )
        if tallied is not None:
            events.append(tallied)
        if events:
            await uow.append(SESSION, session_id, session.version, events)
        result = tallied or session.tally
        assert result is not None
        return TallyView.model_validate(result.model_dump())

    tallied = await execute(ctx, _meta(actor), action, answer=TallyView)
    await review_years.session_voted(ctx, session_id)  # SCHED-3: an overdue session's vote ends its wait
    return tallied


def _year_takes_no_ballots(ctx: ReviewContext, session: Session) -> bool:
    """SCHED-3: the session's review year (or its extension) is over, so no ballot can come any more."""
    try:
        check_review_year_open(
            session.year,
            session.level,
            ctx.clock.now(),
            "在该年度的评审会议中投票",
            deadline=ctx.settings.review_year_deadline_override,
            extended_until=session.extended_until,
        )
    except DomainError:
        return True
    return False


def open_boxes(seal: BallotSeal, session: Session) -> list[dict[str, Vote]]:
    """Every ballot in the session's stream opened: the collected boxes and BallotCast's sealed boxes
    (schema 2) with the ballot key, BallotCast's ballots of schema 1 as they were cast. A box the key
    does not open stops the tally (409) rather than count without it."""
    opened: list[dict[str, Vote]] = []
    sealed = [box.sealed for box in session.ballots if box.sealed is not None] + session.collected
    opened.extend(dict(box.votes or {}) for box in session.ballots if box.sealed is None)
    for box in sealed:
        try:
            opened.append(seal.open(session.session_id, box))
        except UnreadableBallot as exc:
            raise Conflict(
                "ballots_unopened", "票箱中有选票无法用本机的选票密钥开启，不能计票。", rule="NAT-2"
            ) from exc
    return opened


async def publish(
    ctx: ReviewContext, session_id: str, actor: str, *, publicity_seconds: int | None, publicity_working_days: int
) -> PublishedView:
    """NAT-3: the publicity period is fixed when the results go public: in Chinese working days, or in
    seconds for tests and demonstrations — refused in production, whoever calls."""
    if publicity_seconds is not None and ctx.settings.environment == "production":
        raise Forbidden(
            "publicity_seconds_not_allowed",
            "生产环境的公示期按工作日计算，不接受以秒计的公示期。",
            field="publicity_seconds",
            rule="NAT-3",
        )

    async def action(uow: UnitOfWork) -> PublishedView:
        now = ctx.clock.now()
        if publicity_seconds is not None:
            ends_at = now + timedelta(seconds=publicity_seconds)
        else:
            ends_at = publicity_ends_at(ctx.calendar, now, publicity_working_days).astimezone(UTC)
        session = await ctx.session(uow.conn, session_id)
        published = session.publish_results(now, ends_at)
        if published is not None:
            await uow.append(SESSION, session_id, session.version, [published])
        result = published or session.publicity
        assert result is not None
        view = PublishedView.model_validate(result.model_dump())
        if publicity_seconds is None:
            note = publicity_calendar_note(ctx.calendar, result.publicity_starts_at, result.publicity_ends_at)
            view.calendar_known, view.calendar_note = note is None, note
        return view

    return await execute(ctx, _meta(actor), action, answer=PublishedView)


# A call issues at most this many documents, so that it answers within the workflow activity's timeout
# however large the session (up to 500 candidates) and however busy the service; the workflow calls again
# while some remain (the deadline-rush bench found a session of 500 retried past its timeout).
ISSUE_BATCH = 100


async def issue_documents(ctx: ReviewContext, session_id: str, actor: str) -> IssueReport:
    """Issue a qualification document to every passed candidate whose publicity is over and who is
    not held by a complaint under investigation — those without one yet, ISSUE_BATCH at a time
    (`remaining` says how many still wait) —; report who is held and who is refused."""
    async with ctx.db.read() as conn:
        session = await ctx.session(conn, session_id)
        issuable, held, upheld = session.issuable(ctx.clock.now())
        has_one = select(documents.c.application_id).where(documents.c.application_id.in_(issuable))
        issued_before = set((await conn.execute(has_one)).scalars())
    missing = [a for a in issuable if a not in issued_before]
    for application_id in missing[:ISSUE_BATCH]:
        await _issue_one(ctx, session, application_id, actor)
    async with ctx.db.read() as conn:
        rows = (await conn.execute(select(documents).where(documents.c.session_id == session_id))).all()
    return IssueReport(
        session_id=session_id,
        issued=[DocumentRef(application_id=r.application_id, number=r.number, document_id=r.document_id) for r in rows],
        held=held,
        refused=upheld,
        remaining=max(0, len(missing) - ISSUE_BATCH),
    )


async def _issue_one(ctx: ReviewContext, session: Session, application_id: str, actor: str) -> None:
    async def action(uow: UnitOfWork) -> DocumentRef:
        return await issue_to_candidate(ctx, uow, session, application_id)

    await execute(ctx, _meta(actor), action, answer=DocumentRef)


async def close(ctx: ReviewContext, session_id: str, actor: str) -> ClosedView:
    async def action(uow: UnitOfWork) -> ClosedView:
        session = await ctx.session(uow.conn, session_id)
        closed = session.close()
        if closed is not None:
            await uow.append(SESSION, session_id, session.version, [closed])
        # NAT-4: the experts of a closed session are free to be drawn for another at the same time.
        await uow.conn.execute(delete(session_sittings).where(session_sittings.c.session_id == session_id))
        return ClosedView(session_id=session_id, status="closed")

    return await execute(ctx, _meta(actor), action, answer=ClosedView)
