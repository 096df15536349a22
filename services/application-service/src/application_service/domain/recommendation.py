"""An expert recommendation (专家举荐) as facts the system knows from their owners (POL-ER-1, POL-ER-3):
the applicant's written request and the employer's consent are events of the application's stream,
the blind reviewers' verdict is review-service's BlindReviewConcluded. The applicant no longer declares
any of them; what they still declare are POL-ER-2's circumstances."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zhicheng_kernel.errors import Conflict, Forbidden
from zhicheng_kernel.events import DomainEvent

from . import events as ev

# The declared facts of `expert_recommendation` the system now knows itself: stripped from what the
# applicant declared, never attested (facts.ATTESTABLE), replaced by `owned_facts`.
SYSTEM_KNOWN = ("applied_in_writing", "employer_agreed", "blind_approvals", "blind_total", "misconduct_found")
SOURCE_ZH = "由系统依据书面申请、单位同意和盲审结果认定"
MAX_REQUEST_TEXT = 2_000
MAX_RECOMMENDATION_TEXT = 10_000
MAX_REASON = 500
# While the applicant may still change the application, a recommendation may be requested for it.
REQUESTABLE = frozenset({"draft", "returned", "submitted", "unit_approved", "department_approved"})


@dataclass(frozen=True)
class BlindResult:
    """review-service's BlindReviewConcluded, as this service keeps it (expert_recommendation_reviews);
    review-service's review id is the request's recommendation id."""

    review_id: str
    approvals: int
    total: int
    counts: bool
    misconduct_reported: bool


@dataclass
class Recommendation:
    """The current request of an application and the employer's answer to it."""

    recommendation_id: str
    recommending_expert_id: str
    request_text: str
    recommendation_text: str
    agreed: bool | None = None
    reason: str | None = None
    decided_by: str | None = None

    @property
    def status(self) -> str:
        return "requested" if self.agreed is None else "agreed" if self.agreed else "refused"

    @property
    def open(self) -> bool:
        """A request not refused: the application has its recommendation (one at a time)."""
        return self.agreed is not False


def recommendation_after(current: Recommendation | None, event: DomainEvent) -> Recommendation | None:
    """The recommendation state after one of its events (other events leave it as it is)."""
    match event:
        case ev.ExpertRecommendationRequested():
            return Recommendation(
                event.recommendation_id, event.recommending_expert_id, event.request_text, event.recommendation_text
            )
        case ev.ExpertRecommendationConsented() if current is not None:
            current.agreed, current.reason, current.decided_by = event.agreed, event.reason, event.decided_by
    return current


def eligibility_cancelled(
    cancelled: Mapping[str, Any] | None, *, action_zh: str = "办理该事项", field: str | None = None
) -> None:
    """POL-ER-3: an application whose eligibility was cancelled for misconduct in its expert
    recommendation ("取消本年度职称评审资格") takes no further command; each answers 409 naming the rule."""
    if cancelled is None:
        return
    raise Conflict(
        "eligibility_cancelled",
        f"因专家举荐材料存在学术不端，申报人{cancelled['year']}年度职称评审资格已被取消，不能{action_zh}。",
        field=field,
        rule="POL-ER-3",
        extra={"reason": cancelled["reason"]},
    )


def request(
    *,
    application_id: str,
    status: str,
    decided: bool,
    owner_id: str,
    applicant_id: str,
    current: Recommendation | None,
    recommendation_id: str,
    recommending_expert_id: str,
    request_text: str,
    recommendation_text: str,
) -> list[DomainEvent]:
    """POL-ER-1: the applicant's written request to the employer to use an expert's recommendation, while
    the application is a draft or under review and not decided; one open request per application."""
    if owner_id != applicant_id:
        raise Forbidden("not_applicant", "只有申报人本人可以提出专家举荐申请。", rule="POL-ER-1")
    if decided or status not in REQUESTABLE:
        raise Conflict(
            "not_requestable",
            f"该申报当前状态为“{status}”，不能再提出专家举荐申请。",
            rule="POL-ER-1",
        )
    if current is not None and current.open:
        raise Conflict(
            "recommendation_already_requested",
            "该申报已有一项专家举荐申请（每份申报只能有一项未被单位拒绝的举荐申请）。",
            rule="POL-ER-1",
            extra={"recommendation_id": current.recommendation_id},
        )
    return [
        ev.ExpertRecommendationRequested(
            application_id=application_id,
            recommendation_id=recommendation_id,
            recommending_expert_id=recommending_expert_id,
            request_text=request_text,
            recommendation_text=recommendation_text,
        )
    ]


def consent(
    *,
    application_id: str,
    submitted: Mapping[str, Any],
    status: str,
    decided: bool,
    current: Recommendation | None,
    agreed: bool,
    reason: str,
    decided_by: str,
) -> list[DomainEvent]:
    """POL-ER-1 / POL-ER-2 (1): the employer agrees to, or refuses, the applicant's written request; once
    per request. On agreement review-service starts the blind review (the texts travel without the
    applicant's name)."""
    if current is None:
        raise Conflict("no_recommendation_request", "申报人尚未提出专家举荐的书面申请。", rule="POL-ER-1")
    if current.agreed is not None:
        raise Conflict(
            "recommendation_already_decided",
            "单位已对该专家举荐申请表态，不能重复。",
            rule="POL-ER-1",
            extra={"agreed": current.agreed},
        )
    if decided or status not in REQUESTABLE:
        raise Conflict("not_requestable", f"该申报当前状态为“{status}”，不能再对专家举荐表态。", rule="POL-ER-1")
    return [
        ev.ExpertRecommendationConsented(
            application_id=application_id,
            recommendation_id=current.recommendation_id,
            agreed=agreed,
            reason=reason,
            decided_by=decided_by,
            year=int(submitted["year"]),
            series=str(submitted["series"]),
            specialty=str(submitted["specialty"]),
            level=str(submitted["level"]),
            applicant_id=str(submitted["applicant_id"]),
            org_id=str(submitted["org_id"]),
            org_path=str(submitted["org_path"]),
            recommending_expert_id=current.recommending_expert_id,
            recommendation_text=current.recommendation_text,
        )
    ]


def cancel_for_misconduct(
    *,
    application_id: str,
    year: int,
    review_id: str,
    kind: str,
    reason: str,
    confirmed_by: str,
    already: bool,
) -> list[DomainEvent]:
    """POL-ER-3: confirmed misconduct in the recommendation cancels this year's eligibility (once)."""
    if already:
        return []
    return [
        ev.EligibilityCancelled(
            application_id=application_id,
            rule="POL-ER-3",
            reason=reason,
            year=year,
            review_id=review_id,
            kind=kind,
            confirmed_by=confirmed_by,
        )
    ]


def owned_facts(
    current: Recommendation | None, result: BlindResult | None, *, misconduct: bool
) -> dict[str, Any] | None:
    """What the policy engine reads of `expert_recommendation` instead of the declared values: a request
    exists, the employer agreed, the blind reviewers' counts (of this request's review), misconduct
    confirmed. None when the applicant never requested one."""
    if current is None:
        return None
    counted = (
        result if current.agreed and result is not None and result.review_id == current.recommendation_id else None
    )
    return {
        "applied_in_writing": True,
        "employer_agreed": current.agreed is True,
        "blind_approvals": counted.approvals if counted else 0,
        "blind_total": counted.total if counted else 0,
        "misconduct_found": misconduct,
    }


def without_system_known(declared: Mapping[str, Any]) -> dict[str, Any]:
    """The declared `expert_recommendation` without what the system knows itself (SYSTEM_KNOWN)."""
    return {k: v for k, v in declared.items() if k not in SYSTEM_KNOWN}
