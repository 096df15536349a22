"""Who in the expert pool may be drawn: one read for the session draw, the panels and the blind reviews."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from ..adapters.tables import expert_pool


@dataclass(frozen=True)
class PoolExpert:
    account_id: str
    organizing_org_id: str
    series: tuple[str, ...]
    specialty: str
    title_level: str
    employer_org_id: str
    term_starts_on: date
    term_ends_on: date

    def term_running(self, on: date) -> bool:
        """NAT-6: an expert sits only within their term (a term that ended yesterday cannot sit)."""
        return self.term_starts_on <= on <= self.term_ends_on


async def pool_experts(
    conn: AsyncConnection,
    *,
    on: date,
    series: str | None = None,
    specialty: str | None = None,
    account_ids: list[str] | None = None,
) -> list[PoolExpert]:
    """The pool's experts whose term runs on `on` (NAT-6), of `series` / `specialty` / among
    `account_ids` when given, sorted by account id."""
    query = select(expert_pool).where(expert_pool.c.term_starts_on <= on, expert_pool.c.term_ends_on >= on)
    if specialty is not None:
        query = query.where(expert_pool.c.specialty == specialty)
    if account_ids is not None:
        query = query.where(expert_pool.c.account_id.in_(account_ids))
    rows = (await conn.execute(query.order_by(expert_pool.c.account_id))).all()
    experts = [
        PoolExpert(
            account_id=r.account_id,
            organizing_org_id=r.organizing_org_id,
            series=tuple(r.series),
            specialty=r.specialty,
            title_level=r.title_level,
            employer_org_id=r.employer_org_id,
            term_starts_on=r.term_starts_on,
            term_ends_on=r.term_ends_on,
        )
        for r in rows
    ]
    return [e for e in experts if series is None or series in e.series]
