"""The committee aggregate: a series × level committee of an organizing title office (NAT-6)."""

from __future__ import annotations

from dataclasses import dataclass

from zhicheng_kernel.envelope import EventEnvelope, NewEvent

from . import events as ev
from .rules import CommitteeSizeRule, check_committee_size

TITLE_LEVELS = ("junior", "intermediate", "deputy_senior", "senior")


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
    def from_events(cls, history: list[EventEnvelope]) -> Committee | None:
        if not history:
            return None
        formed = history[0].payload
        return cls(
            committee_id=formed["committee_id"],
            name=formed["name"],
            series=formed["series"],
            level=formed["level"],
            organizing_org_id=formed["organizing_org_id"],
            expert_ids=tuple(formed["expert_ids"]),
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
) -> NewEvent:
    unique = list(dict.fromkeys(expert_ids))
    check_committee_size(level, len(unique), by_specialty=bool(specialty), rule=size_rule)
    return NewEvent(
        ev.COMMITTEE_FORMED,
        {
            "committee_id": committee_id,
            "name": name,
            "series": series,
            "level": level,
            "specialty": specialty,
            "organizing_org_id": organizing_org_id,
            "expert_ids": unique,
        },
    )
