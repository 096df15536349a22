"""The Application aggregate: state rebuilt from its stream; commands decide which events follow."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from zhicheng_kernel.errors import ConcurrencyError, Conflict, Forbidden, InvalidInput, NotFound
from zhicheng_kernel.events import DomainEvent
from zhicheng_kernel.paper_limits import JournalLevel, max_copy_ratio_percent

from . import events as ev
from . import paper_bounds
from .attachments import check_attachment, check_removal
from .commands import AttestFacts, DecideApplication, PaperInput, Reviewer, SubmitApplication
from .eligibility import ROUTE_NAMES_ZH, assessment, eligibility_gate, route_of
from .facts import attested_facts, fact_rows, validated_corrections
from .policy.model import DEFAULT_SIMILARITY_RATIO, SimilarityRatio
from .policy.papers import plagiarism_gate, similarity_decision
from .publicity import UnitPublicity
from .recommendation import Recommendation, eligibility_cancelled, recommendation_after
from .rules import STEP_NAMES_ZH, ChainStep

# The role that reviews at each step of the chain (NAT-7).
ROLE_OF_STEP: dict[str, str] = {
    "unit": "unit_review",
    "department": "department_review",
    "title_office": "title_office_review",
}
STATUS_AFTER_STEP: dict[str, str] = {
    "unit": "unit_approved",
    "department": "department_approved",
    "title_office": "office_approved",
}
UNDER_REVIEW = frozenset({"submitted", "unit_approved", "department_approved"})
# The applicant may withdraw until the title office approves.
WITHDRAWABLE = frozenset({"draft", "returned", *UNDER_REVIEW})
EDITABLE = frozenset({"draft", "returned"})
# Statuses in which a late fact no longer re-assesses the application.
CLOSED = frozenset({"new", "draft", "withdrawn"})
# POL-FI-1: the province's verdict on a pushed application; a returned one goes back to the city office.
STATUS_OF_VERDICT: dict[str, str] = {"approved": "filing_approved", "returned": "returned_by_province"}
# Where a committee takes a pushed application from: pushed (filing under way) or approved by the province.
AWAITING_COMMITTEE = frozenset({"pushed", "filing_approved"})
IN_COMMITTEE_OR_AWAITING = AWAITING_COMMITTEE | {"in_committee_review"}
# After a return the corrected application starts again at the unit: every level re-checks the
# corrected materials (NAT-7, POL-ER-3 "every review level checks backwards").
RESUME_STEP = "unit"


def submit(
    application_id: str,
    cmd: SubmitApplication,
    *,
    org_path: str,
    county_code: str,
    chain: Sequence[ChainStep],
    paper_ids: Sequence[str],
) -> list[DomainEvent]:
    """A new application: ApplicationSubmitted, then one PaperCheckRequested per paper (POL-PA-4)."""
    papers = [
        {
            "paper_id": pid,
            "title": p.title,
            "journal": p.journal,
            "journal_level": p.journal_level,
            "published_on": p.published_on.isoformat(),
            "authors": list(p.authors),
            "cn_number": p.cn_number,
            "issue_type": p.issue_type,
            "electronic": p.electronic,
            "press_listed": p.press_listed,
        }
        for pid, p in zip(paper_ids, cmd.papers, strict=True)
    ]
    submitted = ev.ApplicationSubmitted(
        application_id=application_id,
        applicant_id=cmd.applicant_id,
        applicant_name=cmd.applicant_name,
        org_id=cmd.org_id,
        org_path=org_path,
        county_code=county_code,
        year=cmd.year,
        series=cmd.series,
        specialty=cmd.specialty,
        level=cmd.level,
        track=cmd.track,
        papers=papers,
        chain=[s.as_payload() for s in chain],
        facts=cmd.facts,
    )
    return [submitted, *check_requests(application_id, paper_ids, cmd.papers)]


def check_requests(application_id: str, paper_ids: Sequence[str], papers: Sequence[PaperInput]) -> list[DomainEvent]:
    """POL-PA-4: one PaperCheckRequested per paper."""
    return [
        ev.PaperCheckRequested(
            application_id=application_id,
            paper_id=pid,
            title=p.title,
            text=p.text,
            authors=list(p.authors),
            journal_level=p.journal_level,
            published_on=p.published_on.isoformat(),
        )
        for pid, p in zip(paper_ids, papers, strict=True)
    ]


def draft(application_id: str, header: Mapping[str, Any], content: Mapping[str, Any]) -> list[DomainEvent]:
    """A draft only its applicant sees; nothing is checked or reviewed before it is submitted."""
    return [ev.ApplicationDrafted(application_id=application_id, **header, content=dict(content))]


def _summary(content: Mapping[str, Any]) -> dict[str, Any]:
    """What the read model shows of a draft's content (paper texts stay in the stream)."""
    return {
        "year": content["year"],
        "series": content["series"],
        "specialty": content["specialty"],
        "level": content["level"],
        "track": content.get("track", "normal"),
        "papers": [{k: v for k, v in p.items() if k != "text"} for p in content.get("papers", [])],
        "facts": content.get("facts", {}),
    }


@dataclass
class Application:
    id: str
    version: int = 0
    status: str = "new"
    submitted: dict[str, Any] = field(default_factory=dict)
    chain: list[dict[str, str]] = field(default_factory=list)
    step_index: int = 0  # index into chain of the step that reviews next
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)
    push_id: str | None = None
    outcome: str | None = None
    document_number: str | None = None
    content: dict[str, Any] | None = None  # the latest draft or correction (paper texts included)
    edited_since_return: bool = False
    eligibility: dict[str, Any] | None = None
    publicity_starts_on: str | None = None
    publicity_started_at: str | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    returned_step: str | None = None
    attestation: dict[str, Any] | None = None  # the latest FactsAttested since the last (re)submission
    attested_eligibility: dict[str, Any] | None = None  # the latest report on attested facts
    route: str | None = None  # set when concluded without a committee
    filing: dict[str, Any] | None = None  # the province's verdict on the latest push (POL-FI-1)
    recommendation: Recommendation | None = None  # the expert recommendation requested (POL-ER-1)
    cancelled: dict[str, Any] | None = None  # EligibilityCancelled (POL-ER-3)

    # -- state from events ----------------------------------------------------------------------

    @classmethod
    def rebuild(cls, application_id: str, history: Iterable[DomainEvent]) -> Application:
        app = cls(application_id)
        for event in history:
            app.apply(event)
            app.version += 1
        return app

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ev.ApplicationDrafted():
                self.status = "draft"
                self.content = dict(event.content)
                header = event.model_dump(mode="json", exclude={"content"})
                self.submitted = {**header, "county_code": "", "chain": [], **_summary(self.content)}
            case ev.ApplicationEdited():
                self.content = dict(event.content)
                if self.status == "draft":
                    self.submitted.update(_summary(self.content))
                else:
                    self.edited_since_return = True
            case ev.ApplicationSubmitted():
                self.status = "submitted"
                self.submitted = event.model_dump(mode="json")
                self.chain = list(event.chain)
                self.step_index = 0
                self.content = None
            case ev.ApplicationResubmitted():
                self.status = "submitted"
                self.step_index = next(i for i, s in enumerate(self.chain) if s["step"] == event.resume_step)
                self.submitted.update(corrected_fields(event.model_dump(mode="json")))
                if event.papers_replaced:
                    self.checks = {}
                self.content = None
                self.edited_since_return = False
                self.publicity_starts_on = None
                self.returned_step = None
                self.attestation = None  # the unit attests the corrected facts again
                self.attested_eligibility = None
            case ev.ApplicationWithdrawn():
                self.status = "withdrawn"
            case ev.EligibilityAssessed():
                self.eligibility = event.model_dump(mode="json", exclude={"application_id"})
                if event.basis == "attested":
                    self.attested_eligibility = self.eligibility
            case ev.FactsAttested():
                self.attestation = event.model_dump(mode="json", exclude={"application_id"})
            case ev.ApplicationConcludedWithoutCommittee():
                self.status = "awaiting_document"
                self.route = event.route
            case ev.PublicityStarted():
                self.publicity_starts_on = event.starts_on
                self.publicity_started_at = event.started_at
            case ev.AttachmentAdded():
                self.attachments.append(event.model_dump(mode="json", exclude={"application_id"}))
            case ev.AttachmentRemoved():
                self.attachments = [a for a in self.attachments if a["attachment_id"] != event.attachment_id]
            case ev.PaperCheckRecorded():
                self.checks[event.paper_id] = event.model_dump(mode="json")
            case ev.StepApproved():
                step = self.chain[self.step_index]["step"]
                self.status = STATUS_AFTER_STEP[step]
                self.step_index += 1
            case ev.ApplicationReturned():
                self.status = "returned"
                self.returned_step = event.step
            case ev.ApplicationPushed():
                self.status = "pushed"
                self.push_id = event.push_id
                self.filing = None
            case ev.ProvincialVerdictRecorded():
                self.status = STATUS_OF_VERDICT[event.verdict]
                self.filing = event.model_dump(mode="json", exclude={"application_id"})
            case ev.CommitteeReviewStarted():
                self.status = "in_committee_review"
            case ev.ResultsPublicityStarted():
                self.status = "in_results_publicity"
            case ev.ApplicationDecided():
                self.status = event.outcome
                self.outcome = event.outcome
                self.document_number = event.document_number
            case ev.ExpertRecommendationRequested() | ev.ExpertRecommendationConsented():
                self.recommendation = recommendation_after(self.recommendation, event)
            case ev.EligibilityCancelled():
                self.status = self.outcome = "eligibility_cancelled"
                self.cancelled = event.model_dump(mode="json", exclude={"application_id"})
        # PaperCheckRequested changes nothing the aggregate decides on.

    # -- reading ------------------------------------------------------------------------------------

    @property
    def exists(self) -> bool:
        return self.version > 0

    @property
    def paper_ids(self) -> list[str]:
        return [p["paper_id"] for p in self.submitted.get("papers", [])]

    @property
    def is_open(self) -> bool:
        """Submitted and neither decided nor withdrawn: late facts re-assess it."""
        return self.status not in CLOSED and self.outcome is None

    def declared_facts(self) -> dict[str, Any]:
        return dict(self.submitted.get("facts") or {})

    def engine_facts(self) -> dict[str, Any]:
        """What the engine evaluates: the declared facts, with the unit's corrections once attested."""
        corrections = (self.attestation or {}).get("corrections") or []
        return attested_facts(self.declared_facts(), corrections)

    @property
    def basis(self) -> str:
        return "attested" if self.attestation is not None else "declared"

    def fact_rows(self) -> list[dict[str, Any]]:
        return fact_rows(self.declared_facts(), (self.attestation or {}).get("corrections") or [])

    def attested_report(self) -> dict[str, Any] | None:
        """The latest eligibility report on attested facts (basis "attested"): the only one whose
        annotations may be printed on a document (ApplicationPushed, ApplicationConcludedWithoutCommittee)."""
        return self.attested_eligibility

    def assessed(
        self,
        report: Mapping[str, Any],
        trigger: str,
        *,
        registered: Sequence[dict[str, Any]] = (),
        only_if_changed: bool = False,
    ) -> list[DomainEvent]:
        """A late fact (an attestation, a paper check, a registry change, a corrected staff status, a
        resubmission) re-assesses an open application: a new EligibilityAssessed saying what changed.
        `registered`: the employer facts org-service owns (facts.employer_fact_rows), shown first. With
        `only_if_changed`, nothing is appended when no outcome changed."""
        if not self.is_open:
            return []
        facts = [*registered, *self.fact_rows()]
        event = assessment(self.id, report, trigger=trigger, basis=self.basis, facts=facts, previous=self.eligibility)
        if only_if_changed and not event.changes:
            return []
        return [event]

    def current_step(self) -> dict[str, str] | None:
        if self.status == "returned_by_province" and self.chain:
            return self.chain[-1]  # the title office decides what follows the province's return
        if self.status not in UNDER_REVIEW or self.step_index >= len(self.chain):
            return None
        return self.chain[self.step_index]

    # -- commands -------------------------------------------------------------------------------------

    def current_reviewer_step(self, reviewer: Reviewer) -> dict[str, str]:
        """NAT-7: the current step of the chain, when `reviewer` is its reviewer (its org, its role)."""
        eligibility_cancelled(self.cancelled, action_zh="审核")
        step = self.current_step()
        if step is None:
            raise Conflict("not_under_review", f"该申报当前状态为“{self.status}”，不在审核环节。")
        name = STEP_NAMES_ZH[step["step"]]
        if reviewer.org_id != step["org_id"]:
            raise Forbidden(
                "not_current_reviewer",
                f"该申报当前由{name}审核（逐级审核），您所在单位不是当前审核单位。",
                rule="NAT-7",
                extra={"step": step["step"]},
            )
        role = ROLE_OF_STEP[step["step"]]
        if role not in reviewer.roles:
            raise Forbidden(
                "role_required",
                f"{name}审核需要“{role}”角色，当前账号没有该角色。",
                rule="NAT-7",
                extra={"step": step["step"]},
            )
        return step

    def attest(self, cmd: AttestFacts) -> list[DomainEvent]:
        """The unit's reviewer (unit_review at the unit of the chain, while the unit reviews) confirms the
        declared facts or corrects some, each with a reason (facts.validated_corrections)."""
        step = self.current_reviewer_step(cmd.reviewer)
        if step["step"] != "unit":
            raise Forbidden(
                "not_at_unit",
                "申报事实由申报人所在单位在单位审核环节核实，当前环节不能核实。",
                rule="NAT-7",
                extra={"step": step["step"]},
            )
        if cmd.expected_version is not None and cmd.expected_version != self.version:
            raise ConcurrencyError(self.id, cmd.expected_version)
        rows = validated_corrections(self.declared_facts(), cmd.corrections)
        return [self._attested(cmd.reviewer, rows)]

    def needs_attestation(self, cmd: DecideApplication) -> bool:
        """An approval at the unit with no attestation confirms what was declared (FactsAttested first)."""
        step = self.current_step()
        return cmd.decision == "approve" and step is not None and step["step"] == "unit" and self.attestation is None

    def confirmed_by_approval(self, cmd: DecideApplication) -> list[DomainEvent]:
        self.current_reviewer_step(cmd.reviewer)
        if cmd.expected_version != self.version:
            raise ConcurrencyError(self.id, cmd.expected_version)
        return [self._attested(cmd.reviewer, [])]

    def _attested(self, reviewer: Reviewer, rows: list[dict[str, Any]]) -> ev.FactsAttested:
        return ev.FactsAttested(
            application_id=self.id,
            step="unit",
            reviewer_id=reviewer.account_id,
            reviewer_org_id=reviewer.org_id,
            confirmed=not rows,
            corrections=rows,
        )

    def decide(
        self,
        cmd: DecideApplication,
        *,
        now: datetime | None = None,
        publicity: UnitPublicity | None = None,
    ) -> list[DomainEvent]:
        """NAT-7: one level at a time — only the org of the current step, with that step's role,
        approves or returns; the title office approves only past the POL-PA-4 plagiarism gate; the
        unit approves only after its publicity (NAT-5) when `publicity` is given. Who may
        decide is checked before the version, so that a stale version tells nothing to anyone else."""
        step = self.current_reviewer_step(cmd.reviewer)
        if cmd.expected_version != self.version:
            raise ConcurrencyError(self.id, cmd.expected_version)
        self._after_province_only_return(cmd)
        if cmd.decision == "return":
            if not cmd.opinion.strip():
                raise InvalidInput("return_reason_required", "退回申报时必须填写退回理由。", field="opinion")
            return [
                ev.ApplicationReturned(
                    application_id=self.id,
                    step=step["step"],
                    reviewer_id=cmd.reviewer.account_id,
                    reasons=[cmd.opinion.strip()],
                )
            ]
        if step["step"] == "unit" and publicity is not None and now is not None:
            publicity.complete(self.publicity_starts_on, self.publicity_started_at, now)
        eligibility_gate(self.eligibility, step["step"])
        if step["step"] == "title_office":
            plagiarism_gate(self.paper_ids, self.checks)
        approved: list[DomainEvent] = [
            ev.APPROVED_EVENT_OF_STEP[step["step"]](
                application_id=self.id,
                reviewer_id=cmd.reviewer.account_id,
                reviewer_org_id=cmd.reviewer.org_id,
                opinion=cmd.opinion,
            )
        ]
        route = route_of(self.eligibility)
        if step["step"] == "title_office" and route != "committee":
            approved.append(self._concluded_without_committee(route))
        return approved

    def _after_province_only_return(self, cmd: DecideApplication) -> None:
        """POL-FI-1: an application the province returned goes back to the city office, which returns it
        down the chain with the province's reasons (the applicant corrects it; it comes up again and a
        later batch pushes it); the office cannot approve it again as it stands."""
        if self.status == "returned_by_province" and cmd.decision != "return":
            raise Conflict(
                "returned_by_province",
                "该申报已被省职改办退回，只能退回申报人修改后重新逐级审核，不能直接再次审核通过。",
                rule="POL-FI-1",
                extra={"reasons": (self.filing or {}).get("reasons") or []},
            )

    def _concluded_without_committee(self, route: str) -> DomainEvent:
        """POL-SK-3's employer assessment and POL-GR-4's direct appointment end at the title office:
        review-service issues the document; only attested annotations are printed."""
        return ev.ApplicationConcludedWithoutCommittee(
            **self._candidate(),
            route=route,
            annotations=list((self.attested_report() or {}).get("annotations") or []),
        )

    def _candidate(self) -> dict[str, Any]:
        """The candidate's part of ApplicationPushed and ApplicationConcludedWithoutCommittee."""
        return {"application_id": self.id, **{k: self.submitted[k] for k in CANDIDATE_KEYS}}

    def record_check(
        self,
        *,
        paper_id: str,
        check_id: str,
        ratios: Mapping[str, float] | None,
        ratio: SimilarityRatio,
        journal_level: JournalLevel | None,
        reason: str | None = None,
        code: str | None = None,
        applicant_caused: bool | None = None,
    ) -> list[DomainEvent]:
        """plagiarism-service's ratios for one of this application's papers, with this service's POL-PA-4
        verdict: the year's chosen `ratio` against the limit of `journal_level` as the registries judge
        the journal (None: unknown). `ratios` None: the check could not run (decision "rejected").
        Repeats are no-ops."""
        if paper_id not in self.paper_ids:
            return []
        if self.checks.get(paper_id, {}).get("check_id") == check_id:
            return []
        if ratios is None:
            return [
                ev.PaperCheckRecorded(
                    application_id=self.id,
                    paper_id=paper_id,
                    check_id=check_id,
                    copy_ratio=None,
                    threshold=None,
                    decision="rejected",
                    reason=reason,
                    code=code,
                    applicant_caused=paper_bounds.applicant_caused(code, applicant_caused),
                )
            ]
        return [self._check_recorded(paper_id, check_id, dict(ratios), ratio, journal_level)]

    def _check_recorded(
        self,
        paper_id: str,
        check_id: str,
        ratios: dict[str, float],
        ratio: SimilarityRatio,
        journal_level: JournalLevel | None,
        source: str | None = None,
    ) -> ev.PaperCheckRecorded:
        copy_ratio = ratios.get(ratio, ratios.get(DEFAULT_SIMILARITY_RATIO))
        decision = similarity_decision(Decimal(str(copy_ratio)) * 100, journal_level) if copy_ratio is not None else ""
        limit = max_copy_ratio_percent(journal_level) if journal_level else None
        return ev.PaperCheckRecorded(
            application_id=self.id,
            paper_id=paper_id,
            check_id=check_id,
            copy_ratio=copy_ratio,
            threshold=float(limit / 100) if limit is not None else None,
            decision=decision or "rejected",
            reason=None,
            source=source,
            ratios=ratios,
            ratio=ratio if ratio in ratios else DEFAULT_SIMILARITY_RATIO,
            journal_level=journal_level,
        )

    def push(self, push_id: str, annotations: Sequence[str], remarks: Sequence[str] = ()) -> list[DomainEvent]:
        """NAT-7: only an application the title office approved goes up to the committee; one concluded
        without a committee never does."""
        eligibility_cancelled(self.cancelled, action_zh="推送", field="application_ids")
        if self.status == "awaiting_document":
            route = self.route or "employer_assessment"
            raise Conflict(
                "concluded_without_committee",
                f"该申报按{ROUTE_NAMES_ZH.get(route, route)}取得职称，不需评委会评审，不能推送；"
                "职改办审核通过后由系统直接核发资格证书。",
                rule="POL-SK-3" if route == "employer_assessment" else "POL-GR-4",
                extra={"application_id": self.id, "current_status": self.status, "route": route},
            )
        if self.status != "office_approved":
            raise Conflict(
                "not_office_approved",
                "只能推送已经职改办审核通过的申报（逐级审核）。",
                field="application_ids",
                rule="NAT-7",
                extra={"application_id": self.id, "current_status": self.status},
            )
        return [
            ev.ApplicationPushed(
                **self._candidate(),
                push_id=push_id,
                annotations=list(annotations),
                remarks=list(remarks),
                defense_replaced_by=self.defense_replaced_by(),
            )
        ]

    def defense_replaced_by(self) -> str | None:
        """The rule that replaces this candidate's video defense (POL-VD-1), read from the attested report:
        POL-FL-3 when it passed on recognised epidemic-control results of a verified front-line professional."""
        for outcome in (self.attested_report() or {}).get("outcomes") or []:
            recognised = (outcome.get("details") or {}).get("recognised_results") or []
            if outcome.get("rule_id") == "POL-FL-3" and outcome.get("outcome") == "pass" and recognised:
                return "POL-FL-3"
        return None

    def province_verdict(
        self,
        push_id: str,
        verdict: str,
        reasons: Sequence[str],
        decided_at: datetime,
        delivery_id: str,
        reviewer: str,
    ) -> list[DomainEvent]:
        """POL-FI-1: the province's verdict on this application as filed with batch `push_id`. The same
        verdict again is a no-op; a verdict for an application not filed with that batch, or a different
        verdict than the one recorded, is refused."""
        if not self.exists or self.push_id != push_id:
            raise InvalidInput(
                "not_filed",
                "省职改办的审核结果与本批次报送的申报不符。",
                field="application_id",
                rule="POL-FI-1",
                extra={"application_id": self.id, "push_id": push_id},
            )
        if self.filing is not None:
            if self.filing["verdict"] == verdict:
                return []
            raise Conflict(
                "verdict_already_recorded",
                "省职改办对该申报已有不同的审核结果。",
                rule="POL-FI-1",
                extra={"application_id": self.id, "recorded": self.filing["verdict"]},
            )
        if self.status != "pushed":
            raise Conflict(
                "not_awaiting_province",
                f"该申报当前状态为“{self.status}”，不在等待省职改办审核。",
                rule="POL-FI-1",
                extra={"application_id": self.id},
            )
        s = self.submitted
        return [
            ev.ProvincialVerdictRecorded(
                application_id=self.id,
                push_id=push_id,
                year=s["year"],
                series=s["series"],
                level=s["level"],
                org_id=s["org_id"],
                applicant_id=s["applicant_id"],
                verdict=verdict,
                reasons=list(reasons),
                decided_at=decided_at,
                delivery_id=delivery_id,
                reviewer=reviewer,
            )
        ]

    def committee_review_started(self, session_id: str) -> list[DomainEvent]:
        """review-service opened the committee session that reviews this application."""
        if not self.exists or self.outcome is not None or self.status not in AWAITING_COMMITTEE:
            return []
        return [ev.CommitteeReviewStarted(application_id=self.id, session_id=session_id)]

    def results_publicity_started(self, session_id: str, publicity_ends_at: str | None) -> list[DomainEvent]:
        """The committee passed it and its results are in publicity; the outcome follows (or came first)."""
        if not self.exists or self.outcome is not None or self.status not in IN_COMMITTEE_OR_AWAITING:
            return []
        return [
            ev.ResultsPublicityStarted(
                application_id=self.id,
                session_id=session_id,
                publicity_ends_at=publicity_ends_at,
            )
        ]

    def decided(self, outcome: str, document_number: str | None) -> list[DomainEvent]:
        """The committee's outcome, learnt from review-service; only the first outcome counts, except
        that a document follows a "not_passed": review-service issues one only for a title granted, so
        after the organising unit changed the result on the applicant's review (复查, NAT-11) the
        application is titled with the document's number."""
        reviewed_to_titled = self.outcome == "not_passed" and outcome == "titled" and document_number is not None
        if not self.exists or (self.outcome is not None and not reviewed_to_titled):
            return []
        return [ev.ApplicationDecided(application_id=self.id, outcome=outcome, document_number=document_number)]

    # -- the applicant's own commands ------------------------------------------------------------------

    def _owned_by(self, applicant_id: str) -> None:
        if not self.exists:
            raise NotFound("application_not_found", "申报不存在。")
        if self.submitted.get("applicant_id") != applicant_id:
            raise Forbidden("not_applicant", "只有申报人本人可以办理此事项。")

    def edit(self, applicant_id: str, content: Mapping[str, Any]) -> list[DomainEvent]:
        """A draft, or an application returned for correction, is edited by its applicant only."""
        self._owned_by(applicant_id)
        eligibility_cancelled(self.cancelled, action_zh="修改")
        if self.status not in EDITABLE:
            raise Conflict("not_editable", f"该申报当前状态为“{self.status}”，只有草稿或被退回的申报可以修改。")
        return [ev.ApplicationEdited(application_id=self.id, content=dict(content))]

    def resubmit(self, applicant_id: str, paper_ids: Sequence[str], papers: Sequence[PaperInput]) -> list[DomainEvent]:
        """After ApplicationReturned: the corrected application goes back to the unit (RESUME_STEP).
        Papers edited since the return are checked again (POL-PA-4) under new paper ids."""
        self._owned_by(applicant_id)
        eligibility_cancelled(self.cancelled, action_zh="重新提交")
        if self.status != "returned":
            raise Conflict("not_returned", f"该申报当前状态为“{self.status}”，只有被退回的申报可以重新提交。")
        fields: dict[str, Any] = {}
        checks: list[DomainEvent] = []
        if self.edited_since_return and self.content is not None:
            summary = _summary(self.content)
            summary["papers"] = [{**p, "paper_id": pid} for pid, p in zip(paper_ids, summary["papers"], strict=True)]
            fields = summary
            checks = check_requests(self.id, paper_ids, papers)
        return [
            ev.ApplicationResubmitted(
                application_id=self.id,
                returned_step=self.returned_step,
                resume_step=RESUME_STEP,
                papers_replaced=bool(fields),
                **fields,
            ),
            *checks,
        ]

    def withdraw(self, applicant_id: str, reason: str) -> list[DomainEvent]:
        """The applicant withdraws before the title office approves; afterwards the office decides."""
        self._owned_by(applicant_id)
        eligibility_cancelled(self.cancelled, action_zh="撤回")
        if self.status not in WITHDRAWABLE:
            raise Conflict("not_withdrawable", f"该申报当前状态为“{self.status}”，职改办审核通过后不能撤回。")
        return [ev.ApplicationWithdrawn(application_id=self.id, reason=reason)]

    def start_publicity(self, reviewer: Reviewer, starts_on: date, at: datetime | None = None) -> list[DomainEvent]:
        """NAT-5: the unit (unit_review at the unit of the chain) records the start of its publicity."""
        eligibility_cancelled(self.cancelled, action_zh="登记公示")
        step = self.current_step()
        if step is None or step["step"] != "unit":
            raise Conflict("not_at_unit", "只有处于单位审核环节的申报可以登记单位内部公示。", rule="NAT-5")
        if reviewer.org_id != step["org_id"] or ROLE_OF_STEP["unit"] not in reviewer.roles:
            raise Forbidden("not_current_reviewer", "只有申报人所在单位的单位审核人员可以登记公示。", rule="NAT-5")
        if self.publicity_starts_on is not None:
            raise Conflict(
                "publicity_already_started",
                f"本单位已于{self.publicity_starts_on}开始公示。",
                rule="NAT-5",
                extra={"starts_on": self.publicity_starts_on},
            )
        return [
            ev.PublicityStarted(
                application_id=self.id,
                starts_on=starts_on.isoformat(),
                org_id=reviewer.org_id,
                recorded_by=reviewer.account_id,
                started_at=at.isoformat() if at else None,
            )
        ]

    def check_external_report(self, paper_id: str) -> None:
        """Whether the employer's report may stand in for the paper's automatic check now (see
        record_external_report); also asked before the uploaded file is stored."""
        if self.status in ("withdrawn", "draft") or self.outcome is not None:
            raise Conflict("not_under_review", "该申报不在审核中，不能上传查重报告。")
        paper = next((p for p in self.submitted.get("papers", []) if p["paper_id"] == paper_id), None)
        if paper is None:
            raise NotFound("paper_not_found", "该申报中没有这篇论文。", field="paper_id")
        existing = self.checks.get(paper_id)
        if existing is None:
            raise Conflict(
                "plagiarism_check_not_finished",
                "该论文的系统自动查重尚未结束，查重结果返回前不能以单位上传的查重报告代替。",
                field="paper_id",
                rule="POL-PA-4",
            )
        if existing.get("decision") != "rejected":
            raise Conflict(
                "paper_already_checked",
                "该论文已由系统自动查重，不能以单位上传的查重报告代替。",
                field="paper_id",
                rule="POL-PA-4",
            )
        if paper_bounds.applicant_caused(existing.get("code"), existing.get("applicant_caused")):
            raise Conflict(
                "check_refused_for_applicant_input",
                "该论文未能自动查重是因为申报人填报的论文信息有误（如作者姓名、题目或正文含有无法识别的字符），"
                "须退回申报人更正后重新提交查重，不能以单位上传的查重报告代替。",
                field="paper_id",
                rule="POL-PA-4",
                extra={"check_code": existing.get("code"), "reason": existing.get("reason")},
            )

    def record_external_report(
        self,
        paper_id: str,
        report: Mapping[str, Any],
        *,
        ratio: SimilarityRatio = DEFAULT_SIMILARITY_RATIO,
        journal_level: JournalLevel | None = None,
    ) -> list[DomainEvent]:
        """POL-PA-4: a paper the automatic check cannot cover is checked on the employer's request; the
        employer uploads the sealed report, and its figure (去除本人已发表文献复制比) is judged as the
        automatic check's would be: against the limit of `journal_level`, the journal's level as the
        registries judge it. The report stands in only for an automatic check that FINISHED as unable to
        run for a reason the applicant did not cause (the corpus does not hold the paper, the service
        could not check it): never while the check runs, never over its verdict, and never for a check
        the applicant's own input spoilt (finding 6: the applicant then chose the employer's figure).
        An automatic verdict that arrives later replaces it."""
        self.check_external_report(paper_id)
        if not report.get("attested"):
            raise InvalidInput(
                "attestation_required",
                "请确认查重报告已经用人单位审核无误并加盖公章。",
                field="attested",
                rule="POL-PA-4",
            )
        ratios: dict[str, float] = {DEFAULT_SIMILARITY_RATIO: float(report["copy_ratio"])}
        return [
            ev.ExternalReportUploaded(application_id=self.id, paper_id=paper_id, **report),
            self._check_recorded(
                paper_id, str(report["report_id"]), ratios, ratio, journal_level, source="external_report"
            ),
        ]

    def check_attachment(self, uploader: Reviewer, size: int = 0) -> None:
        """Finding 26 (domain/attachments.py): who may add a file now, within the application's quota."""
        eligibility_cancelled(self.cancelled, action_zh="上传附件")
        step = self.current_step()
        check_attachment(
            status=self.status,
            applicant_id=str(self.submitted.get("applicant_id") or ""),
            current_step=step,
            step_role=ROLE_OF_STEP.get(step["step"]) if step else None,
            uploader_id=uploader.account_id,
            uploader_org_id=uploader.org_id,
            uploader_roles=uploader.roles,
            attachments=self.attachments,
            size=size,
        )

    def add_attachment(self, attachment: Mapping[str, Any], uploader: Reviewer) -> list[DomainEvent]:
        self.check_attachment(uploader, int(attachment.get("size") or 0))
        return [ev.AttachmentAdded(application_id=self.id, **attachment)]

    def remove_attachment(self, applicant_id: str, attachment_id: str) -> list[DomainEvent]:
        """Finding 26 (domain/attachments.py): the applicant removes a file of their own while they may add one."""
        self._owned_by(applicant_id)
        eligibility_cancelled(self.cancelled, action_zh="删除附件")
        found = next((a for a in self.attachments if a["attachment_id"] == attachment_id), None)
        if found is None:
            raise NotFound("attachment_not_found", "附件不存在。", field="attachment_id")
        check_removal(status=self.status, uploaded_by=str(found.get("uploaded_by")), applicant_id=applicant_id)
        return [ev.AttachmentRemoved(application_id=self.id, attachment_id=attachment_id, removed_by=applicant_id)]


# What a committee (or review-service, for a route without one) is told of a candidate (ev.CandidateEvent).
CANDIDATE_KEYS = (
    "year",
    "series",
    "specialty",
    "level",
    "applicant_id",
    "applicant_name",
    "org_id",
    "org_path",
    "county_code",
)
RESUBMITTED_FIELDS = frozenset({"year", "series", "specialty", "level", "track", "papers", "facts"})


def corrected_fields(resubmitted: Mapping[str, Any]) -> dict[str, Any]:
    """What an ApplicationResubmitted payload corrects (a field absent or null is unchanged)."""
    return {k: v for k, v in resubmitted.items() if k in RESUBMITTED_FIELDS and v is not None}
