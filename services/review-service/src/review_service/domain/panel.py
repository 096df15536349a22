"""The review panel aggregate (评议组): formed from the pool before the committee, it holds the video
defenses of its candidates and records an opinion on each of them.

State is rebuilt from the panel's own stream; every decision returns the event to append or raises a
DomainError. The draw itself is domain.draw's (NAT-4's reproducible places).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from zhicheng_kernel.envelope import EventEnvelope
from zhicheng_kernel.errors import Conflict, InvalidInput
from zhicheng_kernel.titles import TitleLevel

from .draw import draw, same_employer_recusals
from .events import (
    CATALOGUE,
    DefenseRecorded,
    DefenseScheduled,
    DefenseScore,
    PanelFormed,
    PanelOpinion,
    PanelOpinionRecorded,
)

# The defense's modes: only online video exists for intermediate and senior candidates (POL-VD-1).
VIDEO = "video"
# The bounds of one defense slot, in minutes.
MIN_DEFENSE_MINUTES = 10
MAX_DEFENSE_MINUTES = 180


def check_panel_size(size: int) -> None:
    """NAT-9: a review panel (评议组) has at least 3 experts, an odd number (a panel of 2 or 4 is refused)."""
    if size < 3 or size % 2 == 0:
        raise InvalidInput(
            "invalid_panel_size",
            f"评议组须由不少于 3 名的单数专家组成，不能是 {size} 人。",
            field="size",
            rule="NAT-9",
        )


def defense_required(level: str, replaced_by: str | None) -> bool:
    """POL-VD-1: every intermediate and senior candidate defends (答辩) by online video, unless a rule
    replaced the defense (replaced_by, e.g. front-line epidemic results); junior candidates do not defend."""
    return level != TitleLevel.JUNIOR.value and replaced_by is None


def check_video_mode(mode: str) -> None:
    """The mode of a defense: only "video" (network video, see defense_required); anything else is 422."""
    if mode != VIDEO:
        raise InvalidInput(
            "video_defense_only",
            "中级、高级答辩评审一律采取网络视频方式进行，不设现场答辩。",
            field="mode",
            rule="POL-VD-1",
        )


@dataclass(frozen=True)
class PanelCandidate:
    """A candidate of the panel as the draw needs them: employer (NAT-4), level and replaced defense."""

    application_id: str
    applicant_id: str
    employer_org_id: str
    level: str
    defense_replaced_by: str | None = None


def form_panel(
    panel_id: str,
    *,
    session_id: str,
    organizing_org_id: str,
    specialty: str,
    size: int,
    seed: str,
    expert_employers: Mapping[str, str],
    candidates: Sequence[PanelCandidate],
) -> PanelFormed:
    """A panel of `size` experts drawn from `expert_employers` (the pool experts who may sit, by employer)
    for `candidates`; experts of a candidate's employer do not score that candidate."""
    check_panel_size(size)
    if not candidates:
        raise InvalidInput("no_candidates", "没有需要评议组评议的候选人。", field="application_ids", rule="NAT-9")
    drawn = draw(seed, expert_employers, size, field="size")
    recusals = same_employer_recusals(
        {e: expert_employers[e] for e in drawn.sitting}, {c.application_id: c.employer_org_id for c in candidates}
    )
    return PanelFormed(
        panel_id=panel_id,
        session_id=session_id,
        organizing_org_id=organizing_org_id,
        specialty=specialty,
        seed=seed,
        candidates=list(drawn.candidates),
        expert_ids=list(drawn.sitting),
        application_ids=[c.application_id for c in candidates],
        recusals=recusals,
        defense_application_ids=[
            c.application_id for c in candidates if defense_required(c.level, c.defense_replaced_by)
        ],
        defense_replaced={c.application_id: c.defense_replaced_by for c in candidates if c.defense_replaced_by},
    )


@dataclass
class Panel:
    panel_id: str
    session_id: str
    organizing_org_id: str
    specialty: str
    expert_ids: list[str]
    application_ids: list[str]
    recusals: dict[str, list[str]]
    defense_application_ids: list[str]
    version: int = 0
    scheduled: dict[str, DefenseScheduled] = field(default_factory=dict)
    recorded: dict[str, DefenseRecorded] = field(default_factory=dict)
    opinions: dict[str, PanelOpinionRecorded] = field(default_factory=dict)

    @classmethod
    def from_events(cls, history: Sequence[EventEnvelope]) -> Panel | None:
        if not history:
            return None
        formed = CATALOGUE.parse(history[0])
        assert isinstance(formed, PanelFormed), formed
        panel = cls(
            panel_id=formed.panel_id,
            session_id=formed.session_id,
            organizing_org_id=formed.organizing_org_id,
            specialty=formed.specialty,
            expert_ids=list(formed.expert_ids),
            application_ids=list(formed.application_ids),
            recusals={k: list(v) for k, v in formed.recusals.items()},
            defense_application_ids=list(formed.defense_application_ids),
        )
        for envelope in history[1:]:
            event = CATALOGUE.parse(envelope)
            match event:
                case DefenseScheduled():
                    panel.scheduled[event.application_id] = event
                case DefenseRecorded():
                    panel.recorded[event.application_id] = event
                case PanelOpinionRecorded():
                    panel.opinions[event.application_id] = event
                case _:
                    raise AssertionError(event)
        panel.version = history[-1].version
        return panel

    def judges_of(self, application_id: str) -> list[str]:
        """The panel's experts who score this candidate: all but the recused (NAT-4)."""
        recused = set(self.recusals.get(application_id, []))
        return [e for e in self.expert_ids if e not in recused]

    def complete(self) -> bool:
        """Every defense recorded and every candidate given an opinion."""
        defended = all(a in self.recorded for a in self.defense_application_ids)
        return defended and all(a in self.opinions for a in self.application_ids)

    # -- decisions -----------------------------------------------------------------------------

    def _candidate(self, application_id: str) -> None:
        if application_id not in self.application_ids:
            raise InvalidInput(
                "not_panel_candidate", "该申报不在本评议组的评议范围内。", field="application_id", rule="NAT-9"
            )

    def schedule_defense(
        self,
        application_id: str,
        applicant_id: str,
        *,
        starts_at: datetime,
        ends_at: datetime,
        provider: str,
        room_id: str,
        join_url: str,
    ) -> DefenseScheduled:
        """A candidate who defends gets one online slot; the room comes from the video provider."""
        self._candidate(application_id)
        if application_id not in self.defense_application_ids:
            raise InvalidInput(
                "defense_not_required",
                "该候选人无需答辩（初级职称，或已按政策以其他成果代替答辩）。",
                field="application_id",
                rule="POL-VD-1",
            )
        if application_id in self.scheduled:
            raise Conflict("defense_already_scheduled", "该候选人的网络视频答辩已安排。", rule="POL-VD-1")
        return DefenseScheduled(
            panel_id=self.panel_id,
            session_id=self.session_id,
            application_id=application_id,
            applicant_id=applicant_id,
            expert_ids=self.judges_of(application_id),
            starts_at=starts_at,
            ends_at=ends_at,
            provider=provider,
            room_id=room_id,
            join_url=join_url,
        )

    def record_defense(
        self, application_id: str, *, attended: bool, recording_ref: str | None, scores: Sequence[DefenseScore]
    ) -> DefenseRecorded:
        """The defense's record: attendance, the recording, a score and opinion from each expert who
        judges the candidate (experts of the panel only, recused experts absent, NAT-4)."""
        self._candidate(application_id)
        if application_id not in self.scheduled:
            raise Conflict("defense_not_scheduled", "该候选人的网络视频答辩尚未安排。", rule="POL-VD-1")
        if application_id in self.recorded:
            raise Conflict("defense_already_recorded", "该候选人的答辩情况已登记。", rule="POL-VD-1")
        scorers = [s.expert_id for s in scores]
        if len(set(scorers)) != len(scorers):
            raise InvalidInput("duplicate_scores", "每位专家只能评分一次。", field="scores")
        recused = set(self.recusals.get(application_id, []))
        if recused & set(scorers):
            raise InvalidInput(
                "recused_expert_scored", "与候选人同一单位的专家应当回避，不能评分。", field="scores", rule="NAT-4"
            )
        strangers = sorted(set(scorers) - set(self.expert_ids))
        if strangers:
            raise InvalidInput("not_panel_experts", "评分专家须为本评议组专家。", field="scores")
        if not attended:
            if scores:
                raise InvalidInput("absent_not_scored", "候选人未参加答辩，不能评分。", field="scores")
        else:
            missing = [e for e in self.judges_of(application_id) if e not in scorers]
            if missing:
                raise InvalidInput("scores_incomplete", f"尚有 {len(missing)} 名评议组专家未评分。", field="scores")
            if not recording_ref:
                raise InvalidInput("recording_required", "请登记答辩录像的存档编号。", field="recording_ref")
        return DefenseRecorded(
            panel_id=self.panel_id,
            session_id=self.session_id,
            application_id=application_id,
            attended=attended,
            recording_ref=recording_ref,
            scores=list(scores),
        )

    def record_opinion(self, application_id: str, opinion: PanelOpinion, summary: str) -> PanelOpinionRecorded:
        """The panel's opinion on a candidate, once, after their defense when they defend."""
        self._candidate(application_id)
        if application_id in self.defense_application_ids and application_id not in self.recorded:
            raise Conflict("defense_not_recorded", "该候选人的答辩情况尚未登记，不能形成评议意见。", rule="POL-VD-1")
        if application_id in self.opinions:
            raise Conflict("opinion_already_recorded", "评议组对该候选人的评议意见已登记。", rule="NAT-9")
        return PanelOpinionRecorded(
            panel_id=self.panel_id,
            session_id=self.session_id,
            application_id=application_id,
            opinion=opinion,
            summary=summary,
        )
