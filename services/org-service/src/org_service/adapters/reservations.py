"""Reservations: the uniqueness that must hold across streams, claimed in the deciding transaction.

An aggregate decides from its own stream only, so it cannot know that another organization already
has its name (ORG-4) or that a username or ID-card number is taken. A command claims such a value
here, in the transaction that appends its events: a second claim of the same value waits for the
first transaction and then finds the value taken. The projections could not serve: they are written
after the decision, and a rebuild must not be able to change what was decided.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from .tables import org_code_counters, reservations


class Scope(StrEnum):
    ORG_NAME = "org_name"  # the normalised full name (ORG-3, ORG-4)
    CREDIT_CODE = "credit_code"  # ORG-4
    USERNAME = "username"
    ID_CARD = "id_card"  # one applicant account per person


async def claim(conn: AsyncConnection, scope: Scope, value: str, owner: uuid.UUID) -> uuid.UUID | None:
    """Claim `value` for `owner`; None when claimed now, else the owner that holds it."""
    claimed = await conn.execute(
        insert(reservations)
        .values(scope=scope.value, value=value, owner_id=owner)
        .on_conflict_do_nothing()
        .returning(reservations.c.owner_id)
    )
    if claimed.first() is not None:
        return None
    holder: uuid.UUID = (
        await conn.execute(
            select(reservations.c.owner_id).where(reservations.c.scope == scope.value, reservations.c.value == value)
        )
    ).scalar_one()
    return holder


async def next_org_code(conn: AsyncConnection, division_code: str) -> str:
    """The next organization code of a division: the division code and a serial within it."""
    stmt = insert(org_code_counters).values(division_code=division_code, last=1)
    stmt = stmt.on_conflict_do_update(index_elements=["division_code"], set_={"last": org_code_counters.c.last + 1})
    last = (await conn.execute(stmt.returning(org_code_counters.c.last))).scalar_one()
    return f"{division_code}{last:04d}"
