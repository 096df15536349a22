"""The committee session aggregate: attendance, secret ballots, tally, publicity, complaints, close.

State is rebuilt from the session's own stream; every decision returns the event to append or
raises a DomainError. Who voted is deliberately not in this stream: the service keeps it in a
private table so a ballot cannot be traced to an expert. What was voted reaches the stream only
sealed, and only once the vote is closed (BallotsCollected: every box of the session in one event,
shuffled; adapters.ballot_box holds them until then, and the service tells the session how many via
`held`); the tally is given the boxes opened.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Literal

from zhicheng_kernel.envelope import EventEnvelope
from zhicheng_kernel.errors import Conflict, InvalidInput, not_found

from .events import (
    CATALOGUE,
    AttendanceRecorded,
    BallotCast,
    BallotsCollected,
    CandidateResult,
    CandidatesCarriedOver,
    CommitteeSessionOpened,
    ComplaintFiled,
    ComplaintOutcome,
    ComplaintResolved,
    ConflictDeclared,
    ExpertsDrawn,
    ResultsPublished,
    SessionClosed,
    SessionEvent,
    SessionExtensionGranted,
    SessionOverdue,
    Vote,
    VotesTallied,
    VotingClosed,
)
from .rules import TWO_THIRDS, ballot_passes, candidate_judges, investigation_ends_at, quorum_met

VOTES: tuple[Vote, ...] = ("yes", "no", "abstain")
Stage = Literal["opened", "voting", "tallied", "publicity", "closed", "carried_over"]


def workflow_id_for(session_id: str) -> str:
    """The Temporal workflow that runs a session: one per session, never reused."""
    return f"committee-session-{session_id}"


@dataclass
class Complaint:
    complaint_id: str
    application_id: str
    investigation_ends_at: datetime | None = None
    outcome: ComplaintOutcome | None = None  # None while under investigation


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
    complaint_investigation_seconds: int | None = None
    version: int = 0
    present_expert_ids: list[str] | None = None
    # Ballots cast before the private ballot box, one event each (sealed; plain only in schema 1).
    ballots: list[BallotCast] = field(default_factory=list)
    # The sealed boxes collected when the vote closed (BallotsCollected), in no order.
    collected: list[str] = field(default_factory=list)
    # How many ballots the private ballot box holds while the vote is open (not in the stream: the
    # service reads it under the box's lock, adapters.ballot_box).
    held: int = 0
    voting_closed: bool = False
    # When the session was opened: the one timestamp the BallotCast events of schema 2 carry (NAT-2).
    opened_at: datetime | None = field(default=None, compare=False)
    tally: VotesTallied | None = None
    publicity: ResultsPublished | None = None
    complaints: dict[str, Complaint] = field(default_factory=dict)
    closed: bool = False
    # The review year (SCHED-3, domain.year): not voted by the deadline, extended, carried over.
    overdue: SessionOverdue | None = None
    extensions: list[SessionExtensionGranted] = field(default_factory=list)
    carried_over: CandidatesCarriedOver | None = None
    # NAT-4: the draw (None for sessions opened before issue 11: every member sits, no reserve) and
    # the conflicts experts declared, by application id.
    draw: ExpertsDrawn | None = None
    conflicts: dict[str, set[str]] = field(default_factory=dict)

    # -- rebuilding ----------------------------------------------------------------------------

    @classmethod
    def from_events(cls, history: Sequence[EventEnvelope]) -> Session | None:
        if not history:
            return None
        opened = CATALOGUE.parse(history[0])
        assert isinstance(opened, CommitteeSessionOpened), opened
        session = cls(
            session_id=opened.session_id,
            committee_id=opened.committee_id,
            year=opened.year,
            series=opened.series,
            level=opened.level,
            application_ids=list(opened.application_ids),
            expert_ids=list(opened.expert_ids),
            workflow_id=opened.workflow_id,
            complaint_investigation_seconds=opened.complaint_investigation_seconds,
            opened_at=history[0].occurred_at,
        )
        for envelope in history[1:]:
            event = CATALOGUE.parse(envelope)
            assert isinstance(event, SessionEvent), event
            session.apply(event)
        session.version = history[-1].version
        return session

    def apply(self, event: SessionEvent) -> None:
        match event:
            case AttendanceRecorded():
                self.present_expert_ids = list(event.present_expert_ids)
            case BallotCast():
                self.ballots.append(event)
            case BallotsCollected():
                self.collected.extend(event.boxes)
                self.held = max(0, self.held - len(event.boxes))  # they left the private box
            case VotingClosed():
                self.voting_closed = True
            case VotesTallied():
                self.tally = event
            case ResultsPublished():
                self.publicity = event
            case ComplaintFiled():
                self.complaints[event.complaint_id] = Complaint(
                    event.complaint_id, event.application_id, event.investigation_ends_at
                )
            case ComplaintResolved():
                self.complaints[event.complaint_id].outcome = event.outcome
            case SessionClosed():
                self.closed = True
            case SessionOverdue():
                self.overdue = event
            case SessionExtensionGranted():
                self.extensions.append(event)
            case CandidatesCarriedOver():
                self.carried_over = event
            case ExpertsDrawn():
                self.draw = event
            case ConflictDeclared():
                self.conflicts.setdefault(event.application_id, set()).add(event.expert_id)
            case CommitteeSessionOpened():
                pass

    # -- who judges whom (NAT-4) ------------------------------------------------------------------

    @property
    def reserve_expert_ids(self) -> list[str]:
        return list(self.draw.reserve_expert_ids) if self.draw else []

    def recused(self, application_id: str) -> set[str]:
        """The experts who do not judge a candidate: same employer (the draw) or a declared conflict."""
        same_employer = set(self.draw.recusals.get(application_id, [])) if self.draw else set()
        return same_employer | self.conflicts.get(application_id, set())

    def judges(self, application_id: str, quorum_share: Fraction = TWO_THIRDS) -> list[str]:
        """Who judges the candidate (rules.candidate_judges); nobody before attendance is recorded."""
        if self.present_expert_ids is None:
            return []
        return candidate_judges(
            self.expert_ids,
            self.reserve_expert_ids,
            self.present_expert_ids,
            self.recused(application_id),
            quorum_share,
        )

    def ballot_form(self, expert_id: str, quorum_share: Fraction = TWO_THIRDS) -> list[str]:
        """The candidates on an expert's ballot form: only those they judge (NAT-4)."""
        return [a for a in self.application_ids if expert_id in self.judges(a, quorum_share)]

    # -- status --------------------------------------------------------------------------------

    @property
    def status(self) -> Stage:
        if self.closed:
            return "closed"
        if self.carried_over is not None:
            return "carried_over"
        if self.publicity is not None:
            return "publicity"
        if self.tally is not None:
            return "tallied"
        if self.present_expert_ids is not None:
            return "voting"
        return "opened"

    @property
    def extended_until(self) -> datetime | None:
        """The last extension the city office granted (SCHED-3), if any."""
        return self.extensions[-1].until if self.extensions else None

    @property
    def passed_application_ids(self) -> list[str]:
        if self.tally is None:
            return []
        return [r.application_id for r in self.tally.results if r.passed]

    def held_application_ids(self) -> list[str]:
        """Candidates with a complaint still under investigation."""
        return sorted({c.application_id for c in self.complaints.values() if c.outcome is None})

    def investigation_ends_at(self) -> datetime | None:
        """POL-PB-1: the earliest end of an open investigation's period, after which everyone else is
        issued first; None when no complaint is open (or none recorded its period)."""
        ends = [c.investigation_ends_at for c in self.complaints.values() if c.outcome is None]
        known = [e for e in ends if e is not None]
        return min(known) if known else None

    def upheld_application_ids(self) -> list[str]:
        return sorted({c.application_id for c in self.complaints.values() if c.outcome == "upheld"})

    # -- decisions -----------------------------------------------------------------------------

    def record_attendance(self, present_expert_ids: list[str]) -> AttendanceRecorded:
        """NAT-1: the quorum counts the drawn experts present (sitting and reserves), recorded once before the vote."""
        if self.present_expert_ids is not None:
            raise Conflict("attendance_already_recorded", "本次会议的出席情况已登记，不能重复登记。", rule="NAT-1")
        self._still_meeting()
        present = list(dict.fromkeys(present_expert_ids))
        strangers = sorted(set(present) - set(self.expert_ids) - set(self.reserve_expert_ids))
        if strangers:
            raise InvalidInput(
                "not_committee_experts",
                f"以下人员不是本次会议抽取的评审专家或候补专家：{'、'.join(strangers)}。",
                field="present_expert_ids",
                rule="NAT-1",
            )
        return AttendanceRecorded(session_id=self.session_id, present_expert_ids=present)

    def cast_ballot(
        self, expert_id: str, votes: dict[str, str], quorum_share: Fraction = TWO_THIRDS
    ) -> dict[str, Vote]:
        """NAT-2: only experts present at the meeting vote, once, in person, before the vote is closed;
        the ballot covers exactly the candidates of the expert's ballot form (NAT-4: none they are
        recused from). Answers the checked ballot, which the service seals into the private box."""
        self._still_meeting()
        if self.voting_closed:
            raise Conflict("voting_closed", "本次会议已结束投票，不再接受投票（会后不得补投）。", rule="NAT-2")
        if self.present_expert_ids is None:
            raise Conflict("attendance_not_recorded", "会议出席情况尚未登记，暂不能投票。", rule="NAT-2")
        if expert_id not in self.present_expert_ids:
            raise InvalidInput("expert_not_present", "您未登记出席本次会议，不能投票（不得委托投票）。", rule="NAT-2")
        unknown = sorted(set(votes) - set(self.application_ids))
        if unknown:
            raise InvalidInput(
                "unknown_candidates", f"以下申报不在本次会议评审范围内：{'、'.join(unknown)}。", field="votes"
            )
        form = self.ballot_form(expert_id, quorum_share)
        if not form:
            raise InvalidInput("nothing_to_judge", "您在本次会议没有需要表决的候选人。", field="votes", rule="NAT-4")
        recused = sorted(set(votes) - set(form))
        if recused:
            raise InvalidInput(
                "recused_candidate",
                "您须回避以下候选人的评审，不能对其表决：" + "、".join(recused) + "。",
                field="votes",
                rule="NAT-4",
            )
        missing = sorted(set(form) - set(votes))
        if missing:
            raise InvalidInput(
                "ballot_incomplete", f"选票须对表决票上的每位候选人表态，缺少：{'、'.join(missing)}。", field="votes"
            )
        ballot: dict[str, Vote] = {}
        for application_id in form:
            vote = votes[application_id]
            if vote not in VOTES:
                raise InvalidInput(
                    "invalid_vote", "表决意见只能是 yes（同意）、no（不同意）或 abstain（弃权）。", field="votes"
                )
            ballot[application_id] = vote
        return ballot

    @property
    def ballots_cast(self) -> int:
        """Every ballot cast: old BallotCast events, the collected boxes and those the private box holds."""
        return len(self.ballots) + len(self.collected) + self.held

    def collect_ballots(self, boxes: Sequence[str]) -> BallotsCollected | None:
        """NAT-2: the vote is over, so the private box's ballots enter the stream — all in one event,
        in the random order they come in; None when the box is empty."""
        if len(boxes) != self.held:
            raise Conflict("ballots_unopened", "票箱中的选票数与投票人数不符，不能计票。", rule="NAT-2")
        if not boxes:
            return None
        return BallotsCollected(session_id=self.session_id, boxes=list(boxes))

    def vote_over(self, quorum_share: Fraction = TWO_THIRDS, *, year_closed: bool = False) -> bool:
        """NAT-2: no ballot can come any more — the secretary closed the vote, every present expert with
        a ballot form has cast theirs, or the review year takes no more ballots in this session (SCHED-3,
        `year_closed`). Counting before would fail candidates for ballots still to come."""
        if self.voting_closed or year_closed:
            return True
        if self.present_expert_ids is None:
            return False
        expected = sum(1 for e in self.present_expert_ids if self.ballot_form(e, quorum_share))
        return self.ballots_cast >= expected

    def close_voting(self) -> VotingClosed | None:
        """NAT-2: the secretary closes the vote; None when already closed (idempotent). Only a closed
        vote is counted, and no ballot is cast after it."""
        if self.voting_closed:
            return None
        self._still_meeting()
        return VotingClosed(session_id=self.session_id, ballots_cast=self.ballots_cast)

    def declare_conflict(self, expert_id: str, application_id: str, reason: str) -> ConflictDeclared:
        """NAT-4: a drawn expert declares a conflict of interest with a candidate before the vote
        begins (no ballot cast yet); from then on the candidate is not on their ballot form."""
        self._still_meeting()
        if self.ballots_cast:
            raise Conflict("voting_started", "投票已开始，不能再申报回避。", rule="NAT-4")
        if expert_id not in self.expert_ids and expert_id not in self.reserve_expert_ids:
            raise InvalidInput(
                "not_drawn_expert", "只有本次会议抽取的评审专家或候补专家可以申报回避。", field="expert_id"
            )
        if application_id not in self.application_ids:
            raise InvalidInput("unknown_candidates", "该申报不在本次会议评审范围内。", field="application_id")
        if expert_id in self.conflicts.get(application_id, set()):
            raise Conflict("conflict_already_declared", "已申报过对该候选人的回避。", field="application_id")
        return ConflictDeclared(
            session_id=self.session_id, expert_id=expert_id, application_id=application_id, reason=reason
        )

    def tally_votes(
        self,
        quorum_share: Fraction = TWO_THIRDS,
        pass_share: Fraction = TWO_THIRDS,
        *,
        opened: Sequence[Mapping[str, Vote]] = (),
        year_closed: bool = False,
    ) -> VotesTallied | None:
        """NAT-2: once the vote is over (vote_over), the quorum, then per candidate its judges' quorum
        and two thirds of its judges (with NAT-4), counted from the `opened` ballots (one per box,
        shuffled: the count keeps no order); None when already tallied (idempotent)."""
        if self.tally is not None:
            return None
        if self.carried_over is not None:
            raise Conflict("session_carried_over", "本次会议的候选人已结转下一年度，不再计票。", rule="SCHED-3")
        if not self.vote_over(quorum_share, year_closed=year_closed):
            raise Conflict(
                "voting_not_closed",
                "投票尚未结束（会议秘书尚未结束投票，且仍有出席专家未投票），不能计票。",
                rule="NAT-2",
            )
        if self.held or len(opened) != self.ballots_cast:
            raise Conflict("ballots_unopened", "票箱中的选票未能全部开启，不能计票。", rule="NAT-2")
        ballots = list(opened)
        random.SystemRandom().shuffle(ballots)
        present = len(self.present_expert_ids or [])
        committee_size = len(self.expert_ids)
        met = quorum_met(committee_size, present, quorum_share)
        results = []
        for application_id in self.application_ids:
            counts = Counter(b.get(application_id) for b in ballots)
            yes, no, abstain = counts["yes"], counts["no"], counts["abstain"]
            judges = len(self.judges(application_id, quorum_share))
            judged = quorum_met(committee_size, judges, quorum_share)
            results.append(
                CandidateResult(
                    application_id=application_id,
                    yes=yes,
                    no=no,
                    abstain=abstain,
                    passed=met and judged and ballot_passes(yes, judges, pass_share),
                    judges=judges,
                )
            )
        return VotesTallied(
            session_id=self.session_id,
            committee_size=committee_size,
            present=present,
            quorum_met=met,
            results=results,
        )

    def publish_results(self, starts_at: datetime, ends_at: datetime) -> ResultsPublished | None:
        """Results go public once, after the tally; None when already published (idempotent)."""
        if self.publicity is not None:
            return None
        if self.tally is None:
            raise Conflict("not_tallied", "尚未计票，不能公示结果。")
        return ResultsPublished(
            session_id=self.session_id,
            publicity_starts_at=starts_at,
            publicity_ends_at=ends_at,
            passed_application_ids=self.passed_application_ids,
        )

    def publicity_over(self, now: datetime) -> bool:
        return self.publicity is not None and now >= self.publicity.publicity_ends_at

    def file_complaint(
        self,
        complaint_id: str,
        application_id: str,
        content: str,
        now: datetime,
        channel: Literal["account", "public"] = "account",
    ) -> ComplaintFiled:
        """POL-PB-1: complaints are taken during the publicity of results — from a signed-in user or on the
        public publicity page without an account (`channel`) — and hold their candidate until the
        organizing unit resolves them."""
        if self.publicity is None or self.publicity_over(now) or self.closed:
            raise Conflict("not_in_publicity", "当前不在评审结果公示期内，不能受理投诉。", rule="POL-PB-1")
        if application_id not in self.application_ids:
            raise InvalidInput("unknown_candidates", "被投诉的申报不在本次会议评审范围内。", field="application_id")
        return ComplaintFiled(
            session_id=self.session_id,
            complaint_id=complaint_id,
            application_id=application_id,
            content=content,
            investigation_ends_at=investigation_ends_at(now, self.complaint_investigation_seconds),
            channel=channel,
        )

    def resolve_complaint(self, complaint_id: str, outcome: ComplaintOutcome) -> ComplaintResolved:
        """POL-PB-1: the investigation ends with no problem, a problem that does not affect the title
        (both: the candidate is issued, separately if the others went first) or upheld (not passed)."""
        complaint = self.complaints.get(complaint_id)
        if complaint is None:
            raise not_found("投诉", "complaint_not_found", complaint_id)
        if complaint.outcome is not None:
            raise Conflict("complaint_already_resolved", "该投诉已办结。")
        return ComplaintResolved(
            session_id=self.session_id,
            complaint_id=complaint_id,
            application_id=complaint.application_id,
            outcome=outcome,
        )

    def issuable(self, now: datetime) -> tuple[list[str], list[str], list[str]]:
        """NAT-3: no document before the results were public for the whole period. Then
        (issuable now, held by an open complaint, refused after an upheld one)."""
        if self.publicity is None:
            raise Conflict("not_published", "评审结果尚未公示，不能发文。", rule="NAT-3")
        if not self.publicity_over(now):
            raise Conflict("publicity_not_over", "公示期未满，不能发文。", rule="NAT-3")
        held, upheld = set(self.held_application_ids()), set(self.upheld_application_ids())
        passed = self.passed_application_ids
        return (
            [a for a in passed if a not in held and a not in upheld],
            [a for a in passed if a in held],
            [a for a in passed if a in upheld],
        )

    def close(self) -> SessionClosed | None:
        """A session with a passed candidate still held by a complaint stays open."""
        if self.closed:
            return None
        if set(self.held_application_ids()) & set(self.passed_application_ids):
            raise Conflict("complaints_open", "尚有投诉在调查中，不能结束本次会议。", rule="POL-PB-1")
        return SessionClosed(session_id=self.session_id)

    def _still_meeting(self) -> None:
        if self.carried_over is not None:
            raise Conflict(
                "session_carried_over", "本次会议的候选人已结转下一年度，不再登记出席或投票。", rule="SCHED-3"
            )
        if self.tally is not None or self.closed:
            raise Conflict("voting_closed", "本次会议已计票，不再接受投票或变更出席（会后不得补投）。", rule="NAT-2")
