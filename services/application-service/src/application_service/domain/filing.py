"""POL-FI-1 — "事中监管要求各市州的关键信息审核，调整为提交评委会评审前报省职改办审核": what a push
batch files with the provincial title office (the key information of each application), and which
applications still wait for the province's verdict. Pure: the service layer reads the applications,
the employers and the unit publicity's end, this module shapes them into the wire models of
`zhicheng_kernel.provincial` (whose bounds they respect)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from zhicheng_kernel.provincial import (
    FilingApplicant,
    FilingEmployer,
    FilingItem,
    FilingOutcome,
    FilingPaperCheck,
    FilingSubmission,
    FilingUnitPublicity,
)

from .application import Application
from .facts import employer_kind
from .push import annotations_for, attested_report, remarks_for

CITY_CODE = "620800"
CITY_NAME = "平凉市"
# The wire's bounds (zhicheng_kernel.provincial): what one item carries at most.
MAX_OUTCOMES, MAX_NOTES, MAX_PAPERS, MAX_TEXT, MAX_LONG_TEXT = 100, 20, 50, 200, 2000
REASONS = ("delivery_failing", "verdict_overdue")


@dataclass(frozen=True)
class Employer:
    """The employer as the orgs projection knows it (org-service's facts)."""

    org_id: str
    name: str
    org_kind: str
    unit_type: str | None = None


@dataclass(frozen=True)
class Batch:
    """A push batch as filed: the PushBatchCreated facts and the pushing office."""

    push_id: str
    year: int
    series: str
    level: str
    office_org_id: str
    office_name: str
    application_ids: list[str]


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    return str(value)[:limit]


def _outcomes(report: Mapping[str, Any]) -> list[FilingOutcome]:
    return [
        FilingOutcome(
            rule=_text(o.get("rule_id", "")),
            outcome=_text(o.get("outcome", "")),
            binding=_text(o["binding"]) if o.get("binding") else None,
            reason=_text(o["explanation_zh"], MAX_LONG_TEXT) if o.get("explanation_zh") else None,
        )
        for o in list(report.get("outcomes") or [])[:MAX_OUTCOMES]
    ]


def _paper_checks(app: Application) -> list[FilingPaperCheck]:
    checks = []
    for paper in app.submitted.get("papers", [])[:MAX_PAPERS]:
        check = app.checks.get(paper["paper_id"], {})
        ratios = {_text(k): (float(v) if v is not None else None) for k, v in (check.get("ratios") or {}).items()}
        if not ratios and check.get("copy_ratio") is not None:
            ratios = {"copy_ratio": float(check["copy_ratio"])}
        checks.append(
            FilingPaperCheck(
                paper_id=_text(paper["paper_id"], 100),
                title=_text(paper.get("title", "")),
                status=_text(check.get("decision") or "not_checked"),
                ratios=dict(list(ratios.items())[:10]),
            )
        )
    return checks


def filing_item(
    app: Application, employer: Employer, publicity_ends_at: datetime | None, place: str | None = None
) -> FilingItem:
    """One application's key information: applicant, employer (name, C1 kind), series, level,
    specialty, track, the attested report's outcomes, annotations and remarks, the paper checks and
    the unit's NAT-5 publicity."""
    s = app.submitted
    report = attested_report(app)
    publicity = None
    if app.publicity_starts_on and publicity_ends_at is not None:
        starts_at = app.publicity_started_at or f"{app.publicity_starts_on}T00:00:00+08:00"
        publicity = FilingUnitPublicity(
            starts_at=datetime.fromisoformat(starts_at), ends_at=publicity_ends_at, place=place
        )
    return FilingItem(
        application_id=app.id,
        applicant=FilingApplicant(applicant_id=_text(s["applicant_id"], 100), name=_text(s["applicant_name"])),
        employer=FilingEmployer(
            org_id=_text(employer.org_id, 100),
            name=_text(employer.name),
            kind=employer_kind(employer.org_kind, employer.unit_type),
        ),
        series=_text(s["series"]),
        level=_text(s["level"]),
        specialty=_text(s["specialty"]) if s.get("specialty") else None,
        track=_text(s.get("track") or "normal"),
        outcomes=_outcomes(report),
        annotations=[_text(n) for n in annotations_for(app)][:MAX_NOTES],
        remarks=[_text(n) for n in remarks_for(app)][:MAX_NOTES],
        paper_checks=_paper_checks(app),
        unit_publicity=publicity,
    )


def filing_submission(batch: Batch, items: Sequence[FilingItem], callback_url: str) -> FilingSubmission:
    """POL-FI-1: the batch's filing; its id is the push id, so the province sees one filing however
    often it is delivered."""
    return FilingSubmission(
        filing_id=batch.push_id,
        city_code=CITY_CODE,
        city_name=CITY_NAME,
        year=batch.year,
        series=_text(batch.series),
        level=_text(batch.level),
        office_org_id=_text(batch.office_org_id, 100),
        office_name=_text(batch.office_name),
        callback_url=callback_url,
        items=list(items),
    )


def pending(application_ids: Iterable[str], verdicts: Mapping[str, Any]) -> list[str]:
    """The filed applications the province has not decided yet."""
    return [a for a in application_ids if a not in verdicts]


def filing_stage(delivered: bool, application_ids: Sequence[str], verdicts: Mapping[str, Any]) -> str:
    """Where a batch is: delivering, waiting_for_province, or done (every application decided)."""
    if not delivered:
        return "delivering"
    return "done" if not pending(application_ids, verdicts) else "waiting_for_province"
