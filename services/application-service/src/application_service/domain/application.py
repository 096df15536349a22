"""The Application aggregate: state rebuilt from its stream; commands decide which events follow."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from zhicheng_kernel.envelope import NewEvent
from zhicheng_kernel.errors import ConcurrencyError

from . import events as ev
from .commands import DecideApplication, SubmitApplication
from .errors import Conflict, Forbidden, Unprocessable
from .rules import ChainStep, plagiarism_gate

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
STEP_NAMES_ZH: dict[str, str] = {"unit": "单位", "department": "主管部门", "title_office": "职改办"}
UNDER_REVIEW = frozenset({"submitted", "unit_approved", "department_approved"})


def submit(
    application_id: str,
    cmd: SubmitApplication,
    *,
    org_path: str,
    county_code: str,
    chain: Sequence[ChainStep],
    paper_ids: Sequence[str],
) -> list[NewEvent]:
    """A new application: ApplicationSubmitted, then one PaperCheckRequested per paper (POL-PA-4)."""
    papers = [
        {
            "paper_id": pid,
            "title": p.title,
            "journal": p.journal,
            "journal_level": p.journal_level,
            "published_on": p.published_on.isoformat(),
            "authors": list(p.authors),
        }
        for pid, p in zip(paper_ids, cmd.papers, strict=True)
    ]
    submitted = ev.event(
        ev.APPLICATION_SUBMITTED,
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
    )
    checks = [
        ev.event(
            ev.PAPER_CHECK_REQUESTED,
            application_id=application_id,
            paper_id=pid,
            title=p.title,
            text=p.text,
            authors=list(p.authors),
            journal_level=p.journal_level,
            published_on=p.published_on.isoformat(),
        )
        for pid, p in zip(paper_ids, cmd.papers, strict=True)
    ]
    return [submitted, *checks]


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

    # -- state from events ----------------------------------------------------------------------

    @classmethod
    def rebuild(cls, application_id: str, history: Iterable[tuple[str, Mapping[str, Any]]]) -> Application:
        app = cls(application_id)
        for event_type, payload in history:
            app.apply(event_type, payload)
            app.version += 1
        return app

    def apply(self, event_type: str, payload: Mapping[str, Any]) -> None:
        if event_type == ev.APPLICATION_SUBMITTED:
            self.status = "submitted"
            self.submitted = dict(payload)
            self.chain = list(payload["chain"])
            self.step_index = 0
        elif event_type == ev.PAPER_CHECK_RECORDED:
            self.checks[payload["paper_id"]] = dict(payload)
        elif event_type in (ev.UNIT_APPROVED, ev.DEPARTMENT_APPROVED, ev.TITLE_OFFICE_APPROVED):
            step = self.chain[self.step_index]["step"]
            self.status = STATUS_AFTER_STEP[step]
            self.step_index += 1
        elif event_type == ev.APPLICATION_RETURNED:
            self.status = "returned"
        elif event_type == ev.APPLICATION_PUSHED:
            self.status = "pushed"
            self.push_id = payload["push_id"]
        elif event_type == ev.APPLICATION_DECIDED:
            self.status = payload["outcome"]
            self.outcome = payload["outcome"]
            self.document_number = payload.get("document_number")
        # PaperCheckRequested changes nothing the aggregate decides on.

    # -- reading ------------------------------------------------------------------------------------

    @property
    def exists(self) -> bool:
        return self.version > 0

    @property
    def paper_ids(self) -> list[str]:
        return [p["paper_id"] for p in self.submitted.get("papers", [])]

    def current_step(self) -> dict[str, str] | None:
        if self.status not in UNDER_REVIEW or self.step_index >= len(self.chain):
            return None
        return self.chain[self.step_index]

    # -- commands -------------------------------------------------------------------------------------

    def decide(self, cmd: DecideApplication) -> list[NewEvent]:
        """NAT-7: one level at a time — only the org of the current step, with that step's role,
        approves or returns; the title office approves only past the POL-PA-4 plagiarism gate."""
        if cmd.expected_version != self.version:
            raise ConcurrencyError(self.id, cmd.expected_version)
        step = self.current_step()
        if step is None:
            raise Conflict("not_under_review", f"该申报当前状态为“{self.status}”，不在审核环节。")
        name = STEP_NAMES_ZH[step["step"]]
        if cmd.reviewer.org_id != step["org_id"]:
            raise Forbidden(
                "not_current_reviewer",
                f"该申报当前由{name}审核（逐级审核），您所在单位不是当前审核单位。",
                extra={"step": step["step"]},
            )
        role = ROLE_OF_STEP[step["step"]]
        if role not in cmd.reviewer.roles:
            raise Forbidden(
                "role_required", f"{name}审核需要“{role}”角色，当前账号没有该角色。", extra={"step": step["step"]}
            )
        if cmd.decision == "return":
            if not cmd.opinion.strip():
                raise Unprocessable("return_reason_required", "退回申报时必须填写退回理由。", field="opinion")
            return [
                ev.event(
                    ev.APPLICATION_RETURNED,
                    application_id=self.id,
                    step=step["step"],
                    reviewer_id=cmd.reviewer.account_id,
                    reasons=[cmd.opinion.strip()],
                )
            ]
        if step["step"] == "title_office":
            plagiarism_gate(self.paper_ids, self.checks)
        return [
            ev.event(
                ev.APPROVED_EVENT_OF_STEP[step["step"]],
                application_id=self.id,
                reviewer_id=cmd.reviewer.account_id,
                reviewer_org_id=cmd.reviewer.org_id,
                opinion=cmd.opinion,
            )
        ]

    def record_check(
        self,
        *,
        paper_id: str,
        check_id: str,
        copy_ratio: float | None,
        threshold: float | None,
        decision: str,
        reason: str | None = None,
    ) -> list[NewEvent]:
        """A plagiarism-service verdict on one of this application's papers (POL-PA-4); repeats are no-ops."""
        if paper_id not in self.paper_ids:
            return []
        if self.checks.get(paper_id, {}).get("check_id") == check_id:
            return []
        return [
            ev.event(
                ev.PAPER_CHECK_RECORDED,
                application_id=self.id,
                paper_id=paper_id,
                check_id=check_id,
                copy_ratio=copy_ratio,
                threshold=threshold,
                decision=decision,
                reason=reason,
            )
        ]

    def push(self, push_id: str, annotations: Sequence[str]) -> list[NewEvent]:
        if self.status != "office_approved":
            raise Conflict(
                "not_office_approved",
                "只能推送已经职改办审核通过的申报。",
                extra={"application_id": self.id, "current_status": self.status},
            )
        s = self.submitted
        return [
            ev.event(
                ev.APPLICATION_PUSHED,
                application_id=self.id,
                push_id=push_id,
                year=s["year"],
                series=s["series"],
                specialty=s["specialty"],
                level=s["level"],
                applicant_id=s["applicant_id"],
                applicant_name=s["applicant_name"],
                org_id=s["org_id"],
                org_path=s["org_path"],
                county_code=s["county_code"],
                annotations=list(annotations),
            )
        ]

    def decided(self, outcome: str, document_number: str | None) -> list[NewEvent]:
        """The committee's outcome, learnt from review-service; only the first outcome counts."""
        if not self.exists or self.outcome is not None:
            return []
        return [
            ev.event(ev.APPLICATION_DECIDED, application_id=self.id, outcome=outcome, document_number=document_number)
        ]
