"""The committee session aggregate: attendance, secret ballots, tally, publicity, complaints, close.

State is rebuilt from the session's own stream; every decision returns the events to append or
raises a ReviewError/ReviewConflict. Who voted is deliberately not in this stream (NAT-2): the
API layer keeps it in a private table so a ballot cannot be traced to an expert.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from zhicheng_kernel.envelope import EventEnvelope, NewEvent

from . import events as ev
from .errors import ReviewConflict, ReviewError
from .rules import TWO_THIRDS, ballot_passes, quorum_met

VOTES = ("yes", "no", "abstain")


@dataclass
class Complaint:
    complaint_id: str
    application_id: str
    outcome: str | None = None  # None while under investigation; "no_problem" or "upheld"


@dataclass
class Session:
    session_id: str
    committee_id: str
    year: int
    series: str
    level: str
    application_ids: list[str]
    expert_ids: list[str]
    workflow_id: str
    version: int = 0
    present_expert_ids: list[str] | None = None
    ballots: list[dict[str, str]] = field(default_factory=list)
    tally: dict[str, Any] | None = None
    publicity: dict[str, Any] | None = None
    complaints: dict[str, Complaint] = field(default_factory=dict)
    closed: bool = False

    # -- rebuilding ----------------------------------------------------------------------------

    @classmethod
    def from_events(cls, history: list[EventEnvelope]) -> Session | None:
        if not history:
            return None
        opened = history[0].payload
        session = cls(
            session_id=opened["session_id"],
            committee_id=opened["committee_id"],
            year=int(opened["year"]),
            series=opened["series"],
            level=opened["level"],
            application_ids=list(opened["application_ids"]),
            expert_ids=list(opened["expert_ids"]),
            workflow_id=opened["workflow_id"],
        )
        for event in history:
            session.apply(event.event_type, event.payload)
            session.version = event.version
        return session

    def apply(self, event_type: str, payload: dict[str, Any]) -> None:
        if event_type == ev.ATTENDANCE_RECORDED:
            self.present_expert_ids = list(payload["present_expert_ids"])
        elif event_type == ev.BALLOT_CAST:
            self.ballots.append(dict(payload["votes"]))
        elif event_type == ev.VOTES_TALLIED:
            self.tally = payload
        elif event_type == ev.RESULTS_PUBLISHED:
            self.publicity = payload
        elif event_type == ev.COMPLAINT_FILED:
            self.complaints[payload["complaint_id"]] = Complaint(payload["complaint_id"], payload["application_id"])
        elif event_type == ev.COMPLAINT_RESOLVED:
            self.complaints[payload["complaint_id"]].outcome = payload["outcome"]
        elif event_type == ev.SESSION_CLOSED:
            self.closed = True

    # -- status --------------------------------------------------------------------------------

    @property
    def status(self) -> str:
        if self.closed:
            return "closed"
        if self.publicity is not None:
            return "publicity"
        if self.tally is not None:
            return "tallied"
        if self.present_expert_ids is not None:
            return "voting"
        return "opened"

    @property
    def passed_application_ids(self) -> list[str]:
        if self.tally is None:
            return []
        return [r["application_id"] for r in self.tally["results"] if r["passed"]]

    def held_application_ids(self) -> list[str]:
        """POL-PB-1: candidates with a complaint still under investigation."""
        return sorted({c.application_id for c in self.complaints.values() if c.outcome is None})

    def upheld_application_ids(self) -> list[str]:
        return sorted({c.application_id for c in self.complaints.values() if c.outcome == "upheld"})

    # -- decisions -----------------------------------------------------------------------------

    def record_attendance(self, present_expert_ids: list[str]) -> NewEvent:
        if self.present_expert_ids is not None:
            raise ReviewConflict("attendance_already_recorded", "本次会议的出席情况已登记，不能重复登记。")
        self._still_meeting()
        present = list(dict.fromkeys(present_expert_ids))
        strangers = sorted(set(present) - set(self.expert_ids))
        if strangers:
            raise ReviewError(
                "not_committee_experts", f"以下人员不是本评审委员会专家：{'、'.join(strangers)}。", "present_expert_ids"
            )
        return NewEvent(ev.ATTENDANCE_RECORDED, {"session_id": self.session_id, "present_expert_ids": present})

    def cast_ballot(self, expert_id: str, votes: dict[str, str]) -> NewEvent:
        """NAT-2: only experts present at the meeting vote, once, in person, before the tally."""
        self._still_meeting()
        if self.present_expert_ids is None:
            raise ReviewConflict("attendance_not_recorded", "会议出席情况尚未登记，暂不能投票。")
        if expert_id not in self.present_expert_ids:
            raise ReviewError("expert_not_present", "您未登记出席本次会议，不能投票（不得委托投票）。")
        unknown = sorted(set(votes) - set(self.application_ids))
        if unknown:
            raise ReviewError("unknown_candidates", f"以下申报不在本次会议评审范围内：{'、'.join(unknown)}。", "votes")
        missing = sorted(set(self.application_ids) - set(votes))
        if missing:
            raise ReviewError("ballot_incomplete", f"选票须对每位候选人表态，缺少：{'、'.join(missing)}。", "votes")
        bad = sorted(a for a, v in votes.items() if v not in VOTES)
        if bad:
            raise ReviewError("invalid_vote", "表决意见只能是 yes（同意）、no（不同意）或 abstain（弃权）。", "votes")
        ballot = {a: votes[a] for a in self.application_ids}
        return NewEvent(
            ev.BALLOT_CAST, {"session_id": self.session_id, "ballot_no": len(self.ballots) + 1, "votes": ballot}
        )

    def tally_votes(self, quorum_share: Fraction = TWO_THIRDS, pass_share: Fraction = TWO_THIRDS) -> NewEvent | None:
        """NAT-1 quorum, then NAT-2 per candidate; None when already tallied (idempotent)."""
        if self.tally is not None:
            return None
        present = len(self.present_expert_ids or [])
        committee_size = len(self.expert_ids)
        met = quorum_met(committee_size, present, quorum_share)
        results = []
        for application_id in self.application_ids:
            counts = Counter(b.get(application_id) for b in self.ballots)
            yes, no, abstain = counts["yes"], counts["no"], counts["abstain"]
            results.append(
                {
                    "application_id": application_id,
                    "yes": yes,
                    "no": no,
                    "abstain": abstain,
                    "passed": met and ballot_passes(yes, present, pass_share),
                }
            )
        return NewEvent(
            ev.VOTES_TALLIED,
            {
                "session_id": self.session_id,
                "committee_size": committee_size,
                "present": present,
                "quorum_met": met,
                "results": results,
            },
        )

    def publish_results(self, starts_at: datetime, ends_at: datetime) -> NewEvent | None:
        """NAT-3: results go public before any document; None when already published (idempotent)."""
        if self.publicity is not None:
            return None
        if self.tally is None:
            raise ReviewConflict("not_tallied", "尚未计票，不能公示结果。")
        return NewEvent(
            ev.RESULTS_PUBLISHED,
            {
                "session_id": self.session_id,
                "publicity_starts_at": starts_at.isoformat(),
                "publicity_ends_at": ends_at.isoformat(),
                "passed_application_ids": self.passed_application_ids,
            },
        )

    def publicity_over(self, now: datetime) -> bool:
        return self.publicity is not None and now >= datetime.fromisoformat(self.publicity["publicity_ends_at"])

    def file_complaint(self, complaint_id: str, application_id: str, content: str, now: datetime) -> NewEvent:
        """POL-PB-1: complaints are taken during the publicity of results."""
        if self.publicity is None or self.publicity_over(now) or self.closed:
            raise ReviewConflict("not_in_publicity", "当前不在评审结果公示期内，不能受理投诉。")
        if application_id not in self.application_ids:
            raise ReviewError("unknown_candidates", "被投诉的申报不在本次会议评审范围内。", "application_id")
        return NewEvent(
            ev.COMPLAINT_FILED,
            {
                "session_id": self.session_id,
                "complaint_id": complaint_id,
                "application_id": application_id,
                "content": content,
            },
        )

    def resolve_complaint(self, complaint_id: str, outcome: str) -> NewEvent:
        complaint = self.complaints.get(complaint_id)
        if complaint is None:
            raise ReviewError("complaint_not_found", "未找到该投诉。")
        if complaint.outcome is not None:
            raise ReviewConflict("complaint_already_resolved", "该投诉已办结。")
        return NewEvent(
            ev.COMPLAINT_RESOLVED,
            {
                "session_id": self.session_id,
                "complaint_id": complaint_id,
                "application_id": complaint.application_id,
                "outcome": outcome,
            },
        )

    def issuable(self, now: datetime) -> tuple[list[str], list[str], list[str]]:
        """POL-PB-1 / NAT-3: (issuable now, held by an open complaint, refused after an upheld one)."""
        if not self.publicity_over(now):
            return [], [], []
        held, upheld = set(self.held_application_ids()), set(self.upheld_application_ids())
        passed = self.passed_application_ids
        return (
            [a for a in passed if a not in held and a not in upheld],
            [a for a in passed if a in held],
            [a for a in passed if a in upheld],
        )

    def close(self) -> NewEvent | None:
        if self.closed:
            return None
        if set(self.held_application_ids()) & set(self.passed_application_ids):
            raise ReviewConflict("complaints_open", "尚有投诉在调查中，不能结束本次会议（POL-PB-1）。")
        return NewEvent(ev.SESSION_CLOSED, {"session_id": self.session_id})

    def _still_meeting(self) -> None:
        if self.tally is not None or self.closed:
            raise ReviewConflict("voting_closed", "本次会议已计票，不再接受投票或变更出席（NAT-2 会后不得补投）。")
