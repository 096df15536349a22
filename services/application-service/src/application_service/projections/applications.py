"""The applications read model: one row per application, written from the aggregate after each append."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.envelope import EventEnvelope

from ..adapters import tables
from ..domain.application import Application
from ..domain.eligibility import blocking_of, route_of
from ..domain.events import PaperCheckRequested

t = tables.applications


class ApplicationView(BaseModel):
    """The API's shape of one application."""

    id: str
    status: str
    version: int
    applicant_id: str
    applicant_name: str
    org_id: str
    org_path: str
    county_code: str
    year: int
    series: str
    specialty: str
    level: str
    track: str
    chain: list[dict[str, Any]]
    current_step: str | None
    papers: list[dict[str, Any]]
    checks: dict[str, dict[str, Any]]
    history: list[dict[str, Any]]
    push_id: str | None
    outcome: str | None
    document_number: str | None
    eligible: bool | None
    failed_rules: list[str]
    # The latest eligibility report, as reviewers need it: what it was assessed on (`eligibility_basis`
    # "declared" | "attested"), why (`eligibility_trigger`), what changed (`eligibility_changes`), what
    # blocks approval (`blocking`), the route to the title, and the facts declared and attested side by side.
    eligibility_basis: str | None = None
    eligibility_trigger: str | None = None
    eligibility_changes: list[dict[str, Any]] = []
    blocking: list[dict[str, Any]] = []
    route: str | None = None
    facts: list[dict[str, Any]] = []
    attachments: list[dict[str, Any]]
    publicity_starts_on: str | None
    # POL-FI-1: the province's verdict on the latest push ({push_id, verdict, reasons, decided_at,
    # reviewer, ...}); a "returned_by_province" application shows the province's reasons here.
    filing: dict[str, Any] | None = None
    submitted_at: str
    updated_at: str


def _history_entry(e: EventEnvelope) -> dict[str, Any]:
    keep = (
        "step",
        "reviewer_id",
        "reviewer_org_id",
        "opinion",
        "reasons",
        "paper_id",
        "decision",
        "push_id",
        "outcome",
        "document_number",
        "copy_ratio",
        "reason",
        "eligible",
        "starts_on",
        "filename",
        "resume_step",
        "returned_step",
        "basis",
        "trigger",
        "changes",
        "confirmed",
        "corrections",
        "route",
        "verdict",
        "reviewer",
        "rule",
        "recommendation_id",
        "agreed",
    )
    return {
        "event_type": e.event_type,
        "version": e.version,
        "occurred_at": e.occurred_at.isoformat(),
        "actor": e.actor,
        **{k: e.payload[k] for k in keep if k in e.payload},
    }


async def project(conn: AsyncConnection, app: Application, stored: Sequence[EventEnvelope]) -> None:
    if not stored:
        return
    s = app.submitted
    step = app.current_step()
    entries = [_history_entry(e) for e in stored if e.event_type != PaperCheckRequested.event_type]
    previous = (await conn.execute(select(t.c.history).where(t.c.id == app.id))).scalar_one_or_none()
    report = app.eligibility
    values = {
        "eligible": report["eligible"] if report else None,
        "failed_rules": sorted({o["rule_id"] for o in report["outcomes"] if o["outcome"] == "fail"}) if report else [],
        "eligibility": report,
        "attachments": app.attachments,
        "publicity_starts_on": date.fromisoformat(app.publicity_starts_on) if app.publicity_starts_on else None,
        "version": app.version,
        "status": app.status,
        "current_step": step["step"] if step else None,
        "checks": app.checks,
        "history": [*(previous or []), *entries],
        "push_id": app.push_id,
        # Drafts and corrections change these; submitted applications keep what they were submitted with.
        "year": s["year"],
        "series": s["series"],
        "specialty": s["specialty"],
        "level": s["level"],
        "track": s["track"],
        "chain": s["chain"],
        "county_code": s["county_code"],
        "papers": s["papers"],
        "outcome": app.outcome,
        "document_number": app.document_number,
        "filing": app.filing,
        "updated_at": stored[-1].occurred_at,
    }
    stmt = insert(t).values(
        id=app.id,
        applicant_id=s["applicant_id"],
        applicant_name=s["applicant_name"],
        org_id=s["org_id"],
        org_path=s["org_path"],
        submitted_at=stored[0].occurred_at,
        **values,
    )
    await conn.execute(stmt.on_conflict_do_update(index_elements=[t.c.id], set_=values))


def _report_view(report: dict[str, Any] | None) -> dict[str, Any]:
    if not report:
        return {}
    return {
        "eligibility_basis": report.get("basis", "declared"),
        "eligibility_trigger": report.get("trigger", "submitted"),
        "eligibility_changes": report.get("changes") or [],
        "blocking": blocking_of(report),
        "route": route_of(report),
        "facts": report.get("facts") or [],
    }


def view(row: Any) -> ApplicationView:
    """One row of the read model as the API shows it."""
    return ApplicationView.model_validate(
        {
            "id": row.id,
            "status": row.status,
            "version": row.version,
            "applicant_id": row.applicant_id,
            "applicant_name": row.applicant_name,
            "org_id": row.org_id,
            "org_path": row.org_path,
            "county_code": row.county_code,
            "year": row.year,
            "series": row.series,
            "specialty": row.specialty,
            "level": row.level,
            "track": row.track,
            "chain": row.chain,
            "current_step": row.current_step,
            "papers": row.papers,
            "checks": row.checks,
            "history": row.history,
            "push_id": row.push_id,
            "outcome": row.outcome,
            "document_number": row.document_number,
            "eligible": row.eligible,
            "failed_rules": row.failed_rules,
            **_report_view(row.eligibility),
            "attachments": row.attachments,
            "publicity_starts_on": row.publicity_starts_on.isoformat() if row.publicity_starts_on else None,
            "filing": row.filing,
            "submitted_at": row.submitted_at.isoformat(),
            "updated_at": row.updated_at.isoformat(),
        }
    )
