"""The committee aggregate: a series × level committee of an organizing title office."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from zhicheng_kernel.calendar import china_today
from zhicheng_kernel.envelope import EventEnvelope

from .events import CATALOGUE, CommitteeFormed
from .rules import CommitteeSizeRule, check_committee_size, check_filing_current, check_three_year_term, latest_term_end


@dataclass(frozen=True)
class Committee:
    committee_id: str
    name: str
    series: str
    level: str
    organizing_org_id: str
    expert_ids: tuple[str, ...]
    version: int
    # NAT-6: the filing (备案) and the day it lapses.
    filed_on: date
    filing_expires_on: date

    @classmethod
    def from_events(cls, history: Sequence[EventEnvelope]) -> Committee | None:
        if not history:
            return None
        formed = CATALOGUE.parse(history[0])
        assert isinstance(formed, CommitteeFormed), formed
        # Formed before issue 11: read as filed the day it was formed, lapsing 3 years later.
        filed_on = formed.filed_on or china_today(history[0].occurred_at)
        return cls(
            committee_id=formed.committee_id,
            name=formed.name,
            series=formed.series,
            level=formed.level,
            organizing_org_id=formed.organizing_org_id,
            expert_ids=tuple(formed.expert_ids),
            version=history[-1].version,
            filed_on=filed_on,
            filing_expires_on=formed.filing_expires_on or latest_term_end(filed_on),
        )

    def check_may_open(self, today: date) -> None:
        """A session opens only while the committee's filing runs (rules.check_filing_current)."""
        check_filing_current(self.filing_expires_on, today)


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
    filed_on: date,
    filing_expires_on: date | None = None,
) -> CommitteeFormed:
    """A committee of the experts named, each counted once before its size is checked; filed on
    `filed_on` until `filing_expires_on` (default and longest: 3 years less a day)."""
    unique = list(dict.fromkeys(expert_ids))
    check_committee_size(level, len(unique), by_specialty=bool(specialty), rule=size_rule)
    expires = filing_expires_on or latest_term_end(filed_on)
    check_three_year_term(filed_on, expires, what_zh="评审委员会备案有效期", field="filing_expires_on")
    return CommitteeFormed(
        committee_id=committee_id,
        name=name,
        series=series,
        level=level,
        specialty=specialty,
        organizing_org_id=organizing_org_id,
        expert_ids=unique,
        filed_on=filed_on,
        filing_expires_on=expires,
    )
