"""A push: a batch of office-approved applications of one series and level sent to the committee."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from zhicheng_kernel.errors import Forbidden, InvalidInput, NotFound
from zhicheng_kernel.events import DomainEvent

from . import events as ev
from .application import Application
from .commands import CreatePush
from .rules import application_of_push_year, push_in_review_year, push_window_open, series_in_schedule
from .schedule import Schedule, normalise_series


def annotations_for(app: Application, on_staff: bool | None) -> list[str]:
    """Notes the committee must see (review-service copies them onto the document): the eligibility
    report's annotations (POL-GR-2 "乡村不受指标限制", POL-EN-4 off-staff), the off-staff note when the
    report has none (applications assessed before the engine), SCHED-2/POL-GR-1 grassroots track."""
    report = app.eligibility or {}
    notes: list[str] = list(report.get("annotations") or [])
    if on_staff is False and not any("编外" in n for n in notes):
        notes.append("编外人员（与在编人员同等对待，不受岗位数限制；取得职称后仍为编外）")
    if app.submitted.get("track") == "grassroots":
        notes.append("基层职称（定向评价、定向使用）")
    return list(dict.fromkeys(notes))


@dataclass(frozen=True)
class PushPlan:
    batch: ev.PushBatchCreated
    pushed: dict[str, list[DomainEvent]]  # application id → its events


def plan_push(
    cmd: CreatePush,
    push_id: str,
    applications: Mapping[str, Application],
    schedule: Schedule,
    now: datetime,
    on_staff: Mapping[str, bool | None],
) -> PushPlan:
    """SCHED-1 (pushed by the end of the series' month, a batch of the review year), then per
    application: it exists, lies in the pusher's subtree, is office-approved and belongs to this year
    (SCHED-1), series and level."""
    entry = series_in_schedule(schedule, cmd.series)
    push_window_open(entry, cmd.year, now)
    push_in_review_year(cmd.year, now)
    if not cmd.application_ids:
        raise InvalidInput("empty_push", "推送批次至少需要包含一份申报。", field="application_ids")
    if len(set(cmd.application_ids)) != len(cmd.application_ids):
        raise InvalidInput("duplicate_in_push", "推送批次中有重复的申报。", field="application_ids")
    pushed: dict[str, list[DomainEvent]] = {}
    for application_id in cmd.application_ids:
        app = applications.get(application_id)
        if app is None or not app.exists:
            raise NotFound("application_not_found", "推送的申报不存在。", extra={"application_id": application_id})
        s = app.submitted
        if not s["org_path"].startswith(cmd.office_org_path):
            raise Forbidden(
                "outside_scope",
                "该申报不属于本单位及其下级单位，不能推送。",
                extra={"application_id": application_id},
            )
        application_of_push_year(s["year"], cmd.year, application_id)
        if normalise_series(s["series"]) != normalise_series(cmd.series) or s["level"] != cmd.level:
            raise InvalidInput(
                "push_mismatch",
                "推送批次中的申报必须属于同一系列和同一级别。",
                field="application_ids",
                extra={"application_id": application_id},
            )
        pushed[application_id] = app.push(push_id, annotations_for(app, on_staff.get(s["applicant_id"])))
    batch = ev.PushBatchCreated(
        push_id=push_id,
        year=cmd.year,
        series=entry.series,
        level=cmd.level,
        office_org_id=cmd.office_org_id,
        application_ids=list(cmd.application_ids),
    )
    return PushPlan(batch, pushed)
