"""The blind review of an expert recommendation (专家举荐盲审, POL-ER-1, POL-ER-3): decisions from the
review's own stream, no I/O.

The reviewers are drawn at random (domain.draw) from the pool's experts of the series, without the
recommending expert and without the applicant's employer's experts (NAT-4). The applicant's identity is
hidden from the reviewers (they see the series, level, specialty and the recommendation's text), the
reviewers' from the applicant and from each other: an opinion is recorded without its reviewer, the
service keeps who has answered in a private table, and every answer gives counts only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from zhicheng_kernel.envelope import EventEnvelope
from zhicheng_kernel.errors import Conflict, DomainError, InvalidInput
from zhicheng_kernel.events import DomainEvent

from .draw import draw
from .events import (
    CATALOGUE,
    BlindReviewConcluded,
    BlindReviewersDrawn,
    BlindReviewOpinionRecorded,
    BlindReviewStalled,
    ExpertRecommendationReceived,
    MisconductKind,
    RecommendationMisconductConfirmed,
    RecommendationMisconductDismissed,
)

MISCONDUCT_ZH: dict[str, str] = {"plagiarism": "抄袭剽窃", "fabrication": "伪造篡改", "invented_facts": "捏造事实"}
EXCLUDED_RECOMMENDER = "recommending_expert"
EXCLUDED_SAME_EMPLOYER = "same_employer"


def recommendation_counts(approvals: int, total: int) -> bool:
    """POL-ER-1: the recommendation counts only when at least 2/3 of the blind reviewers approve it
    (2 of 3 counts, 1 of 2 and 1 of 3 do not)."""
    return total > 0 and approvals * 3 >= total * 2


def check_reviewer_count(count: int) -> None:
    """The number of blind reviewers: odd and at least 3, so that 2/3 is a clear majority."""
    if count < 3 or count % 2 == 0:
        raise ValueError("blind_reviewers must be odd and at least 3")


def eligible_reviewers(
    pool: Mapping[str, str], *, recommending_expert_id: str, applicant_org_id: str
) -> tuple[list[str], dict[str, str]]:
    """NAT-4: who may review a recommendation, from the pool (expert id → employer org id): neither the
    recommending expert nor an expert of the applicant's employer. Answers (candidates, excluded)."""
    excluded: dict[str, str] = {}
    for expert_id, employer in sorted(pool.items()):
        if expert_id == recommending_expert_id:
            excluded[expert_id] = EXCLUDED_RECOMMENDER
        elif employer == applicant_org_id:
            excluded[expert_id] = EXCLUDED_SAME_EMPLOYER
    return [e for e in sorted(pool) if e not in excluded], excluded


@dataclass
class BlindReview:
    review_id: str
    application_id: str = ""
    year: int = 0
    series: str = ""
    specialty: str = ""
    level: str = ""
    applicant_id: str = ""
    org_id: str = ""
    recommending_expert_id: str = ""
    recommendation_text: str = ""
    version: int = 0
    reviewer_ids: tuple[str, ...] = ()
    seed: str | None = None  # the latest draw's, with the experts it chose from and those it excluded
    candidates: tuple[str, ...] = ()
    excluded: dict[str, str] = field(default_factory=dict)
    stalled: bool = False
    approvals: int = 0
    opinions: int = 0
    reports: list[dict[str, str]] = field(default_factory=list)
    concluded: bool = False
    misconduct_decision: str | None = None  # "confirmed" | "dismissed"

    @classmethod
    def from_events(cls, envelopes: Iterable[EventEnvelope]) -> BlindReview | None:
        review: BlindReview | None = None
        for envelope in envelopes:
            event = CATALOGUE.parse(envelope)
            if isinstance(event, ExpertRecommendationReceived):
                review = cls(event.review_id)
            if review is not None:
                review.apply(event)
                review.version = envelope.version
        return review

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ExpertRecommendationReceived():
                self.application_id, self.year, self.series = event.application_id, event.year, event.series
                self.specialty, self.level, self.applicant_id = event.specialty, event.level, event.applicant_id
                self.org_id, self.recommending_expert_id = event.org_id, event.recommending_expert_id
                self.recommendation_text = event.recommendation_text
            case BlindReviewersDrawn():
                self.reviewer_ids, self.stalled = tuple(event.reviewer_ids), False
                self.seed, self.candidates, self.excluded = event.seed, tuple(event.candidates), dict(event.excluded)
            case BlindReviewStalled():
                self.stalled = True
            case BlindReviewOpinionRecorded():
                self.opinions += 1
                self.approvals += event.approve
                if event.misconduct_kind is not None:
                    self.reports.append({"kind": event.misconduct_kind, "detail": event.misconduct_detail or ""})
            case BlindReviewConcluded():
                self.concluded = True
            case RecommendationMisconductConfirmed():
                self.misconduct_decision = "confirmed"
            case RecommendationMisconductDismissed():
                self.misconduct_decision = "dismissed"

    # -- reading ------------------------------------------------------------------------------------

    @property
    def status(self) -> str:
        if self.misconduct_decision is not None:
            return f"misconduct_{self.misconduct_decision}"
        if self.concluded:
            return "concluded"
        if self.stalled:
            return "stalled"
        return "in_review" if self.reviewer_ids else "drawing"

    @property
    def total(self) -> int:
        return len(self.reviewer_ids)

    # -- decisions ----------------------------------------------------------------------------------

    def drawn(self, seed: str, pool: Mapping[str, str], count: int) -> list[DomainEvent]:
        """POL-ER-1 / NAT-4: `count` reviewers drawn from `seed` among the eligible experts of `pool`
        (expert id → employer); too few is BlindReviewStalled, for the city office to redraw later."""
        if self.reviewer_ids:
            raise Conflict("reviewers_already_drawn", "该盲审已抽取评审专家，不能重复抽取。", rule="POL-ER-1")
        candidates, excluded = eligible_reviewers(
            pool, recommending_expert_id=self.recommending_expert_id, applicant_org_id=self.org_id
        )
        try:
            result = draw(seed, candidates, count, field="blind_reviewers")
        except DomainError as exc:
            if exc.code != "not_enough_experts":
                raise
            return [BlindReviewStalled(review_id=self.review_id, available=len(candidates), needed=count)]
        return [
            BlindReviewersDrawn(
                review_id=self.review_id,
                seed=result.seed,
                candidates=list(result.candidates),
                excluded=excluded,
                reviewer_ids=list(result.sitting),
            )
        ]

    def opinion(
        self, *, approve: bool, comment: str, misconduct_kind: MisconductKind | None, misconduct_detail: str | None
    ) -> list[DomainEvent]:
        """A drawn reviewer's opinion (the caller checked, in its private table, that they were drawn and
        have not answered); the last one concludes the review (BlindReviewConcluded, POL-ER-1's 2/3)."""
        if self.concluded or not self.reviewer_ids:
            raise Conflict("blind_review_not_open", "该盲审不在评审中，不能提交意见。", rule="POL-ER-1")
        if misconduct_kind is not None and not (misconduct_detail or "").strip():
            raise InvalidInput(
                "misconduct_detail_required",
                "报告学术不端时须说明具体情况。",
                field="misconduct.detail",
                rule="POL-ER-3",
            )
        recorded = BlindReviewOpinionRecorded(
            review_id=self.review_id,
            approve=approve,
            comment=comment,
            misconduct_kind=misconduct_kind,
            misconduct_detail=misconduct_detail if misconduct_kind is not None else None,
        )
        events: list[DomainEvent] = [recorded]
        opinions, approvals = self.opinions + 1, self.approvals + approve
        if opinions == self.total:
            events.append(
                BlindReviewConcluded(
                    review_id=self.review_id,
                    application_id=self.application_id,
                    approvals=approvals,
                    total=self.total,
                    counts=recommendation_counts(approvals, self.total),
                    misconduct_reported=bool(self.reports) or misconduct_kind is not None,
                )
            )
        return events

    def _misconduct_open(self) -> None:
        if not self.reports:
            raise Conflict("no_misconduct_reported", "没有评审专家报告该举荐存在学术不端。", rule="POL-ER-3")
        if self.misconduct_decision is not None:
            raise Conflict(
                "misconduct_already_decided",
                "市职改办已对该举荐的学术不端报告作出认定。",
                rule="POL-ER-3",
                extra={"decision": self.misconduct_decision},
            )

    def confirm_misconduct(self, reason: str, confirmed_by: str, kind: MisconductKind | None) -> list[DomainEvent]:
        """POL-ER-3: the city office confirms a reviewer's report; the applicant loses this year's
        eligibility and the recommending expert is identified (application-service acts on it)."""
        self._misconduct_open()
        reported: Sequence[str] = [r["kind"] for r in self.reports]
        chosen: MisconductKind = kind or _kind(reported[0])
        if chosen not in reported:
            raise InvalidInput(
                "misconduct_kind_not_reported",
                f"评审专家未报告“{MISCONDUCT_ZH[chosen]}”。",
                field="kind",
                rule="POL-ER-3",
            )
        return [
            RecommendationMisconductConfirmed(
                review_id=self.review_id,
                application_id=self.application_id,
                applicant_id=self.applicant_id,
                recommending_expert_id=self.recommending_expert_id,
                year=self.year,
                kind=chosen,
                reason=reason,
                confirmed_by=confirmed_by,
            )
        ]

    def dismiss_misconduct(self, reason: str, dismissed_by: str) -> list[DomainEvent]:
        """POL-ER-3: the city office finds the report unfounded; the blind review's result stands."""
        self._misconduct_open()
        return [RecommendationMisconductDismissed(review_id=self.review_id, reason=reason, dismissed_by=dismissed_by)]


KINDS: tuple[MisconductKind, ...] = ("plagiarism", "fabrication", "invented_facts")


def _kind(value: str) -> MisconductKind:
    return next(k for k in KINDS if k == value)


@dataclass(frozen=True)
class AssignedReview:
    """What a reviewer sees of an assignment: no applicant, no employer, no other reviewer."""

    review_id: str
    series: str
    specialty: str
    level: str
    recommendation_text: str
    answered: bool


def reviewer_view(review: BlindReview, answered: bool) -> AssignedReview:
    """The anonymised view of a review for one of its reviewers."""
    return AssignedReview(
        review.review_id, review.series, review.specialty, review.level, review.recommendation_text, answered
    )
