"""An expert's place in a title office's pool (专家库): the terms of one expert account, from its stream."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from zhicheng_kernel.envelope import EventEnvelope
from zhicheng_kernel.errors import Conflict

from .events import CATALOGUE, ExpertAppointed
from .rules import check_three_year_term


@dataclass(frozen=True)
class PoolMember:
    account_id: str
    terms: tuple[ExpertAppointed, ...]
    version: int

    @classmethod
    def from_events(cls, account_id: str, history: Sequence[EventEnvelope]) -> PoolMember:
        terms = []
        for envelope in history:
            event = CATALOGUE.parse(envelope)
            assert isinstance(event, ExpertAppointed), event
            terms.append(event)
        return cls(account_id, tuple(terms), history[-1].version if history else 0)

    def overlapping(self, starts_on: date, ends_on: date) -> ExpertAppointed | None:
        """The recorded term that shares a day with [starts_on, ends_on], if any."""
        for term in self.terms:
            if term.term_starts_on <= ends_on and starts_on <= term.term_ends_on:
                return term
        return None


def appoint(
    member: PoolMember,
    *,
    organizing_org_id: str,
    series: list[str],
    specialty: str,
    title_level: str,
    employer_org_id: str,
    term_starts_on: date,
    term_ends_on: date,
) -> ExpertAppointed:
    """A new term (NAT-6: at most 3 years); a term that overlaps one already recorded is refused."""
    check_three_year_term(term_starts_on, term_ends_on, what_zh="专家聘期", field="term_ends_on")
    overlap = member.overlapping(term_starts_on, term_ends_on)
    if overlap is not None:
        raise Conflict(
            "term_overlaps",
            f"该专家已有聘期（{overlap.term_starts_on.isoformat()} 至 {overlap.term_ends_on.isoformat()}）"
            "与本次聘期重叠，须在原聘期届满后再续聘。",
            field="term_starts_on",
            rule="NAT-6",
        )
    return ExpertAppointed(
        account_id=member.account_id,
        organizing_org_id=organizing_org_id,
        series=series,
        specialty=specialty,
        title_level=title_level,
        employer_org_id=employer_org_id,
        term_starts_on=term_starts_on,
        term_ends_on=term_ends_on,
    )
