"""Secret ballots in pure session tests (NAT-2): cast sealed under a test key, counted once the vote
is closed, the way the service does it (adapters.ballot_seal, service_layer.outcomes)."""

from __future__ import annotations

import uuid

from review_service.adapters.ballot_seal import BallotSeal
from review_service.domain.events import BallotCast, VotesTallied
from review_service.domain.session import Session

SEAL = BallotSeal(b"k" * 32)


def box(session: Session, expert_id: str, votes: dict[str, str]) -> BallotCast:
    """The expert's ballot as the session decides it (Session.cast_ballot), sealed in its box."""
    ballot = session.cast_ballot(expert_id, votes)
    return session.ballot_box(uuid.uuid4().hex, SEAL.seal(session.session_id, ballot))


def cast(session: Session, expert_id: str, votes: dict[str, str]) -> None:
    """`box`, applied to the session."""
    session.apply(box(session, expert_id, votes))
    session.version += 1


def tally(session: Session) -> VotesTallied | None:
    """Close the vote (if still open), open every box and count (Session.tally_votes)."""
    closed = session.close_voting()
    if closed is not None:
        session.apply(closed)
        session.version += 1
    opened = [SEAL.open(session.session_id, b.sealed) if b.sealed else dict(b.votes or {}) for b in session.ballots]
    return session.tally_votes(opened=opened)
