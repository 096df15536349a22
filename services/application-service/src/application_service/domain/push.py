"""A push: a batch of office-approved applications of one series and level sent to the committee."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from zhicheng_kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from zhicheng_kernel.events import DomainEvent
from zhicheng_kernel.titles import level_zh

from . import events as ev
from .application import Application
from .commands import CreatePush
from .rules import application_of_push_year, push_in_review_year, push_window_open, series_in_schedule
from .schedule import Schedule, normalise_series


def attested_report(app: Application) -> dict[str, Any]:
    """The eligibility report a push goes by: the latest on attested facts (a document prints only
    attested facts); none for an application the unit never attested."""
    return app.attested_report() or {}


def annotations_for(app: Application) -> list[str]:
    """What the qualification document prints (C2 `annotations`; review-service copies them): the report's
    annotations (POL-GR-2 "乡村不受指标限制"), and the grassroots track's note (SCHED-2/POL-GR-1)."""
    notes: list[str] = list(attested_report(app).get("annotations") or [])
    if app.submitted.get("track") == "grassroots":
        notes.append("基层职称（定向评价、定向使用）")
    return list(dict.fromkeys(notes))


def remarks_for(app: Application) -> list[str]:
    """What is stated at recommendation and publicity and noted with the submitted materials, never
    printed (C2 `remarks`, e.g. the off-staff note): the report's remarks."""
    return list(dict.fromkeys(attested_report(app).get("remarks") or []))


# -- quota plans --------------------------------------------------------------------------------------

# The pools a quota plan limits, each with the rule whose wording sets it: the post structure ratio
# (POL-EX-1: only 破格/直接申报 "可不受岗位结构比例限制") and the grassroots separate total (POL-GR-1:
# "总量控制、比例单列"). The other pool, "not_counted" (POL-GR-2, POL-EN-2, POL-EN-4, POL-EX-1,
# POL-GR-4 in the report's reasons), is not counted against any plan.
COUNTED_POOLS: dict[str, str] = {"structure_ratio": "POL-EX-1", "grassroots_separate": "POL-GR-1"}
POOL_NAMES_ZH: dict[str, str] = {
    "structure_ratio": "岗位结构比例指标",
    "grassroots_separate": "基层高级岗位单列指标",
    "not_counted": "不占指标",
}
DEFAULT_POOL = "structure_ratio"


def quota_pool_of(app: Application) -> str:
    """The pool the report puts the application in; an application assessed without one counts against
    the structure ratio (the ordinary case)."""
    pool = (attested_report(app).get("quota_pool") or {}).get("pool")
    return str(pool) if pool else DEFAULT_POOL


@dataclass(frozen=True)
class QuotaStanding:
    """A unit's recorded quota of one year, series, level and pool, and how many pushed applications
    already count against it."""

    quota: int
    used: int


@dataclass(frozen=True)
class QuotaUse:
    """What a push did to one unit's pool (the push answer shows it)."""

    org_id: str
    pool: str
    application_ids: list[str]
    quota: int | None  # None: no plan recorded (or a pool no plan limits)
    used_before: int
    note: str


def within_quota(
    org_id: str,
    pool: str,
    application_ids: list[str],
    standing: QuotaStanding | None,
    year: int,
    series: str,
    level: str,
) -> QuotaUse:
    """POL-EX-1 / POL-GR-1: the applications a push adds to a unit's counted pool — the post structure
    ratio, or the grassroots separate total — stay within the quota the title office recorded for that
    year, series and level; beyond it the push is refused, naming the pool's rule. A unit with no
    recorded quota is not limited (our reading: the notice sets no figure; the office records the plan),
    and the answer says "未录入指标". The pool "not_counted" is never counted."""
    if pool not in COUNTED_POOLS:
        return QuotaUse(org_id, pool, application_ids, None, 0, "不占岗位结构比例，不计入指标")
    if standing is None:
        return QuotaUse(org_id, pool, application_ids, None, 0, f"未录入指标（{POOL_NAMES_ZH[pool]}），不受数量限制")
    remaining = standing.quota - standing.used
    if len(application_ids) > remaining:
        raise Conflict(
            "quota_exceeded",
            f"该单位{year}年度{series}{level_zh(level)}{POOL_NAMES_ZH[pool]}为{standing.quota}个，已推送占用"
            f"{standing.used}个，剩余{max(remaining, 0)}个，本次推送{len(application_ids)}个，超出指标，不能推送。",
            field="application_ids",
            rule=COUNTED_POOLS[pool],
            extra={
                "org_id": org_id,
                "pool": pool,
                "quota": standing.quota,
                "used": standing.used,
                "application_ids": application_ids,
            },
        )
    return QuotaUse(
        org_id, pool, application_ids, standing.quota, standing.used, f"{POOL_NAMES_ZH[pool]}{standing.quota}个"
    )


@dataclass(frozen=True)
class PushPlan:
    batch: ev.PushBatchCreated
    pushed: dict[str, list[DomainEvent]]  # application id → its events
    quota: list[QuotaUse]


def plan_push(
    cmd: CreatePush,
    push_id: str,
    applications: Mapping[str, Application],
    schedule: Schedule,
    now: datetime,
    quotas: Mapping[tuple[str, str], QuotaStanding] | None = None,
) -> PushPlan:
    """SCHED-1 (pushed by the end of the series' month, a batch of the review year), then per
    application: it exists, lies in the pusher's subtree, is office-approved and belongs to this year
    (SCHED-1), series and level; then each unit's quota plan (`quotas` by unit and pool)."""
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
                rule="SCHED-1",
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
        pushed[application_id] = app.push(push_id, annotations_for(app), remarks_for(app))
    by_pool: dict[tuple[str, str], list[str]] = {}
    for application_id in cmd.application_ids:
        app = applications[application_id]
        by_pool.setdefault((app.submitted["org_id"], quota_pool_of(app)), []).append(application_id)
    standings = quotas or {}
    quota = [
        within_quota(org_id, pool, ids, standings.get((org_id, pool)), cmd.year, entry.series, cmd.level)
        for (org_id, pool), ids in by_pool.items()
    ]
    batch = ev.PushBatchCreated(
        push_id=push_id,
        year=cmd.year,
        series=entry.series,
        level=cmd.level,
        office_org_id=cmd.office_org_id,
        application_ids=list(cmd.application_ids),
    )
    return PushPlan(batch, pushed, quota)
