"""What a rule answers (RuleOutcome) and what the engine reports (EligibilityReport)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Generic, Literal, ParamSpec

# excluded: an item (a paper, an award, a recommendation) that does not count; the application stands
#           without it and the applicant is told to withdraw it.
# pending:  not decidable yet (a journal the registries do not know, a check still running); someone must act.
Outcome = Literal["pass", "fail", "not_applicable", "warn", "excluded", "pending"]
# hard:     a failure blocks approval at every step of the chain (the refusal names the rule).
# office:   a pending or failing outcome blocks only the title office's approval.
# item:     an outcome about one item; a failure excludes the item, not the application.
# advisory: shown to reviewers, decides nothing by itself.
Binding = Literal["hard", "office", "item", "advisory"]
# The route to a title: a committee's ballot, the employer's assessment (POL-SK-3) or direct appointment (POL-GR-4).
Route = Literal["committee", "employer_assessment", "direct_appointment"]
# The items an applicant may be told to withdraw.
ItemKind = Literal["paper", "award", "expert_recommendation"]
QuotaPool = Literal["structure_ratio", "grassroots_separate", "not_counted"]
# 2: `eligible` means "no hard failure"; blocking, excluded_items, route and remarks added.
REPORT_SCHEMA_VERSION = 2
RULE_ID = re.compile(r"\b(?:POL|SCHED)-[A-Z]{0,2}-?\d+\b")

P = ParamSpec("P")


@dataclass(frozen=True)
class RuleOutcome:
    rule_id: str
    outcome: Outcome
    explanation_zh: str
    details: Mapping[str, Any] = field(default_factory=dict)
    binding: Binding = "advisory"

    def to_payload(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "outcome": self.outcome,
            "binding": self.binding,
            "explanation_zh": self.explanation_zh,
            "details": jsonable(dict(self.details)),
        }


class PolicyRule(Generic[P]):
    """A rule function that knows its ID and how its outcomes bind; its docstring must name that ID
    exactly once."""

    def __init__(self, rule_id: str, fn: Callable[P, RuleOutcome], binding: Binding = "advisory") -> None:
        doc = fn.__doc__ or ""
        if doc and RULE_ID.findall(doc) != [rule_id]:
            raise ValueError(f"{fn.__name__}: the docstring must name {rule_id} exactly once")
        self.rule_id = rule_id
        self.binding: Binding = binding
        self._fn = fn
        functools.update_wrapper(self, fn)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> RuleOutcome:
        return self._fn(*args, **kwargs)

    def outcome(self, outcome: Outcome, sentence: str, **details: Any) -> RuleOutcome:
        return make_outcome(self.rule_id, outcome, sentence, binding=self.binding, **details)


def policy_rule(rule_id: str, binding: Binding = "advisory") -> Callable[[Callable[P, RuleOutcome]], PolicyRule[P]]:
    def wrap(fn: Callable[P, RuleOutcome]) -> PolicyRule[P]:
        return PolicyRule(rule_id, fn, binding)

    return wrap


def make_outcome(
    rule_id: str, outcome: Outcome, sentence: str, *, binding: Binding = "advisory", **details: Any
) -> RuleOutcome:
    """The explanation ends with the rule ID in full-width brackets: "……（POL-PA-1）。"."""
    text = sentence.rstrip("。")
    return RuleOutcome(rule_id, outcome, f"{text}（{rule_id}）。", details, binding)


@dataclass(frozen=True)
class QuotaReason:
    rule_id: str
    explanation_zh: str


@dataclass(frozen=True)
class QuotaDecision:
    pool: QuotaPool
    reasons: tuple[QuotaReason, ...] = ()

    def to_payload(self) -> dict[str, Any]:
        return {
            "pool": self.pool,
            "reasons": [{"rule_id": r.rule_id, "explanation_zh": r.explanation_zh} for r in self.reasons],
        }


@dataclass(frozen=True)
class ExcludedItem:
    """An item that does not count: the application stands without it, the applicant is told to withdraw it."""

    item: ItemKind
    ref: str | None
    title: str
    rule_id: str
    explanation_zh: str

    def to_payload(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "ref": self.ref,
            "title": self.title,
            "rule_id": self.rule_id,
            "explanation_zh": self.explanation_zh,
        }


@dataclass(frozen=True)
class EligibilityReport:
    """What the engine reports. `eligible` is "no hard failure"; `blocking` lists what stops an approval
    (hard failures at every step, office-binding fail/pending outcomes at the title office's step);
    `annotations` are printed on the qualification document, `remarks` never are (they are stated at
    recommendation, in publicity and noted when the materials are submitted)."""

    as_of: date
    outcomes: tuple[RuleOutcome, ...]
    quota_pool: QuotaDecision
    route: Route = "committee"
    annotations: tuple[str, ...] = ()
    remarks: tuple[str, ...] = ()
    excluded_items: tuple[ExcludedItem, ...] = ()

    def outcomes_of(self, rule_id: str) -> list[RuleOutcome]:
        return [o for o in self.outcomes if o.rule_id == rule_id]

    @property
    def failures(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if o.outcome == "fail"]

    @property
    def blocking(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if blocks(o)]

    @property
    def eligible(self) -> bool:
        return not any(o.binding == "hard" and o.outcome == "fail" for o in self.outcomes)

    @property
    def committee_required(self) -> bool:
        return self.route == "committee"

    def to_payload(self) -> dict[str, Any]:
        """A JSON-serialisable dict, the body of an EligibilityAssessed event."""
        return {
            "schema_version": REPORT_SCHEMA_VERSION,
            "as_of": self.as_of.isoformat(),
            "eligible": self.eligible,
            "route": self.route,
            "committee_required": self.committee_required,
            "quota_pool": self.quota_pool.to_payload(),
            "annotations": list(self.annotations),
            "remarks": list(self.remarks),
            "blocking": [
                {"rule_id": o.rule_id, "explanation_zh": o.explanation_zh, "binding": o.binding} for o in self.blocking
            ],
            "excluded_items": [i.to_payload() for i in self.excluded_items],
            "outcomes": [o.to_payload() for o in self.outcomes],
        }


def blocks(o: RuleOutcome) -> bool:
    """A hard failure blocks approval at every step; an office-binding failure or pending outcome blocks
    the title office's approval."""
    if o.binding == "hard":
        return o.outcome == "fail"
    return o.binding == "office" and o.outcome in ("fail", "pending")


def jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"not JSON-serialisable: {value!r}")
