"""The committee aggregate: a series × level committee of an organizing title office."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from zhicheng_kernel.envelope import EventEnvelope

from .events import CATALOGUE, CommitteeFormed
from .rules import CommitteeSizeRule, check_committee_size


@dataclass(frozen=True)
class Committee:
    committee_id: str
    name: str
    series: str
    level: str
    organizing_org_id: str
    expert_ids: tuple[str, ...]
    version: int

    @classmethod
    def from_events(cls, history: Sequence[EventEnvelope]) -> Committee | None:
        if not history:
            return None
        formed = CATALOGUE.parse(history[0])
        assert isinstance(formed, CommitteeFormed), formed
        return cls(
            committee_id=formed.committee_id,
            name=formed.name,
            series=formed.series,
            level=formed.level,
            organizing_org_id=formed.organizing_org_id,
            expert_ids=tuple(formed.expert_ids),
            version=history[-1].version,
        )


def form_committee(
    committee_id: str,
    *,
    name: str,
    series: str,
    level: str,
    organizing_org_id: str,
    expert_ids: list[str],
    specialty: str | None,
    size_rule: CommitteeSizeRule,
) -> CommitteeFormed:
    """A committee of the experts named, each counted once before its size is checked."""
    unique = list(dict.fromkeys(expert_ids))
    check_committee_size(level, len(unique), by_specialty=bool(specialty), rule=size_rule)
    return CommitteeFormed(
        committee_id=committee_id,
        name=name,
        series=series,
        level=level,
        specialty=specialty,
        organizing_org_id=organizing_org_id,
        expert_ids=unique,
    )
