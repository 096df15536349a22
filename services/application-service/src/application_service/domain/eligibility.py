"""The eligibility report as the review chain reads it: what blocks an approval, the route to a title,
what changed since the previous report, and the report as EligibilityAssessed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zhicheng_kernel.errors import Conflict

from . import events as ev
from .rules import STEP_NAMES_ZH

# Reports assessed before outcomes carried their binding (no `blocking` key): the hard conditions the
# issue names (point 5) block as they would have.
HARD_RULES_BEFORE_BINDINGS = frozenset({"POL-EX-1", "POL-SK-3", "POL-EN-3", "POL-ER-3", "SCHED-2"})
ROUTE_NAMES_ZH: dict[str, str] = {
    "employer_assessment": "由用人单位考核认定（POL-SK-3）",
    "direct_appointment": "直接认定（POL-GR-4）",
}


def blocking_of(report: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """C2 `blocking` of a report: hard failures and office-binding fail/pending outcomes. A report
    assessed before bindings has none: its failures of HARD_RULES_BEFORE_BINDINGS are hard."""
    if not report:
        return []
    if report.get("blocking") is not None:
        return [dict(b) for b in report["blocking"]]
    return [
        {"rule_id": o["rule_id"], "explanation_zh": o["explanation_zh"], "binding": "hard"}
        for o in report.get("outcomes", [])
        if o["outcome"] == "fail" and (o.get("binding") == "hard" or o["rule_id"] in HARD_RULES_BEFORE_BINDINGS)
    ]


def eligibility_gate(report: Mapping[str, Any] | None, step: str) -> None:
    """Hard conditions bind (POL-EX-1, POL-SK-3, POL-EN-3 and every other outcome of binding "hard"): no
    step approves while the latest report has a hard failure; the title office does not approve while an
    office-binding outcome fails or is pending (a journal the registries do not know). Returning is
    always allowed."""
    blocking = [
        b
        for b in blocking_of(report)
        if b.get("binding") == "hard" or (step == "title_office" and b.get("binding") == "office")
    ]
    if not blocking:
        return
    first = blocking[0]
    reason = str(first["explanation_zh"]).rstrip("。")
    more = f"（另有{len(blocking) - 1}项，见 blocking）" if len(blocking) > 1 else ""
    raise Conflict(
        "eligibility_blocked",
        f"资格审查未通过，{STEP_NAMES_ZH[step]}不能审核通过：{reason}{more}。请核实后退回申报人修改。",
        rule=str(first["rule_id"]),
        extra={"blocking": blocking, "step": step},
    )


def route_of(report: Mapping[str, Any] | None) -> str:
    """C2 `route`; a report without it: derived from committee_required and the POL-SK-3/POL-GR-4 details."""
    if not report:
        return "committee"
    if report.get("route"):
        return str(report["route"])
    if report.get("committee_required", True):
        return "committee"
    for o in report.get("outcomes", []):
        if o["outcome"] == "pass" and (o.get("details") or {}).get("employer_assessment"):
            return "employer_assessment"
        if o["outcome"] == "pass" and (o.get("details") or {}).get("direct_appointment"):
            return "direct_appointment"
    return "committee"


def outcome_changes(before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rule outcomes that changed between two reports ({rule_id, before, after}; None: absent). A
    rule applied to several items (papers, awards) is compared item by item, in order."""

    def keyed(outcomes: Sequence[Mapping[str, Any]]) -> dict[tuple[str, int], str]:
        seen: dict[str, int] = {}
        out: dict[tuple[str, int], str] = {}
        for o in outcomes:
            n = seen.get(o["rule_id"], 0)
            seen[o["rule_id"]] = n + 1
            out[(o["rule_id"], n)] = o["outcome"]
        return out

    old, new = keyed(before), keyed(after)
    keys = list(dict.fromkeys([*old, *new]))
    return [
        {"rule_id": rule_id, "before": old.get((rule_id, n)), "after": new.get((rule_id, n))}
        for rule_id, n in keys
        if old.get((rule_id, n)) != new.get((rule_id, n))
    ]


def assessment(
    application_id: str,
    report: Mapping[str, Any],
    *,
    trigger: str,
    basis: str,
    facts: list[dict[str, Any]],
    previous: Mapping[str, Any] | None,
) -> ev.EligibilityAssessed:
    """The engine's report (EligibilityReport.to_payload) as EligibilityAssessed, with what it was
    assessed on (`basis`, `facts`), why (`trigger`) and what changed since `previous`."""
    changes = outcome_changes(previous.get("outcomes", []) if previous else [], report["outcomes"])
    return ev.EligibilityAssessed.model_validate(
        {
            **report,
            "application_id": application_id,
            "basis": basis,
            "trigger": trigger,
            "changes": changes if previous else [],
            "facts": facts,
        }
    )
