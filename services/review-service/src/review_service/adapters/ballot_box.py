"""NAT-2's private ballot box (issue 12, finding 5): the sealed ballots of a session while its vote is
open, out of the session's stream.

One row per session (`ballot_box`), no time and no order: each cast rewrites it with every box it
holds re-sealed (fresh nonces) and the new one, in a random order. The voter's transaction writes
that row next to the participation row (`session_voter`), but the row holds all the ballots so far
alike and none of its ciphertexts survives the next cast, so neither the row nor its history tells
which box is the voter's — even to someone who watched the table after every cast. When the vote
closes, `empty` hands the boxes over once more re-sealed and shuffled (they go into one
BallotsCollected event) and deletes the row.

Every reader and writer of a session's box holds the session's transaction-level advisory lock
first, so a ballot cast and the close of the vote are serialised: no ballot slips in after the
boxes were collected, and the count read under the lock is exact.
"""

from __future__ import annotations

import random

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.errors import Conflict

from .ballot_seal import BallotSeal, UnreadableBallot
from .tables import ballot_boxes


async def lock(conn: AsyncConnection, session_id: str) -> None:
    """Hold the session's ballot box until the end of the caller's transaction."""
    await conn.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": f"ballot-box:{session_id}"}
    )


async def held(conn: AsyncConnection, session_id: str) -> int:
    """How many ballots the session's private box holds (0 without a box)."""
    count = await conn.scalar(
        select(func.jsonb_array_length(ballot_boxes.c.boxes)).where(ballot_boxes.c.session_id == session_id)
    )
    return int(count or 0)


async def drop_in(conn: AsyncConnection, seal: BallotSeal, session_id: str, sealed: str) -> None:
    """Put a sealed ballot into the session's box: every box re-sealed, all shuffled (under `lock`)."""
    boxes = [*_resealed(seal, session_id, await _boxes(conn, session_id)), sealed]
    random.SystemRandom().shuffle(boxes)
    await conn.execute(
        insert(ballot_boxes)
        .values(session_id=session_id, boxes=boxes)
        .on_conflict_do_update(index_elements=[ballot_boxes.c.session_id], set_={"boxes": boxes})
    )


async def empty(conn: AsyncConnection, seal: BallotSeal, session_id: str) -> list[str]:
    """Every box of the session, re-sealed and shuffled, and the private row deleted (under `lock`)."""
    boxes = _resealed(seal, session_id, await _boxes(conn, session_id))
    random.SystemRandom().shuffle(boxes)
    await conn.execute(delete(ballot_boxes).where(ballot_boxes.c.session_id == session_id))
    return boxes


async def discard(conn: AsyncConnection, session_id: str) -> None:
    """Delete the session's box unopened: its ballots will never be counted (SCHED-3's carry-over)."""
    await conn.execute(delete(ballot_boxes).where(ballot_boxes.c.session_id == session_id))


async def _boxes(conn: AsyncConnection, session_id: str) -> list[str]:
    boxes = await conn.scalar(select(ballot_boxes.c.boxes).where(ballot_boxes.c.session_id == session_id))
    return [str(b) for b in boxes or []]


def _resealed(seal: BallotSeal, session_id: str, boxes: list[str]) -> list[str]:
    """The boxes under fresh nonces: the same ballots, ciphertexts never seen before."""
    try:
        return [seal.seal(session_id, seal.open(session_id, box)) for box in boxes]
    except UnreadableBallot as exc:
        raise Conflict(
            "ballots_unopened", "票箱中有选票无法用本机的选票密钥开启，不能继续投票或计票。", rule="NAT-2"
        ) from exc
