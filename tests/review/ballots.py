"""Secret ballots in pure session tests (NAT-2): cast sealed under a test key into a private box of
the test's own (the service's is adapters.ballot_box), collected into the stream and counted once the
vote is closed, the way the service does it (service_layer.sessions, service_layer.outcomes)."""

from __future__ import annotations

import random

from review_service.adapters.ballot_seal import BallotSeal
from review_service.domain.events import BallotsCollected, VotesTallied
from review_service.domain.session import Session
from review_service.service_layer.outcomes import open_boxes

SEAL = BallotSeal(b"k" * 32)


def _private(session: Session) -> list[str]:
    """The test's private ballot box of this session object (outside the session's fields)."""
    boxes: list[str] = session.__dict__.setdefault("_test_private_box", [])
    return boxes


def cast(session: Session, expert_id: str, votes: dict[str, str]) -> None:
    """The expert's ballot as the session decides it (Session.cast_ballot), sealed into the private box."""
    ballot = session.cast_ballot(expert_id, votes)
    _private(session).append(SEAL.seal(session.session_id, ballot))
    session.held += 1


def collect(session: Session) -> BallotsCollected | None:
    """The private box emptied, shuffled, into the one event the stream gets (Session.collect_ballots)."""
    boxes = _private(session)
    taken = random.sample(boxes, len(boxes))
    boxes.clear()
    return session.collect_ballots(taken)


def box(session: Session, expert_id: str, votes: dict[str, str]) -> BallotsCollected:
    """A shortcut for one-ballot decisions: the expert casts and the box is collected at once."""
    cast(session, expert_id, votes)
    collected = collect(session)
    assert collected is not None
    return collected


def tally(session: Session) -> VotesTallied | None:
    """Close the vote (if still open), collect the private box, open every box and count."""
    closed = session.close_voting()
    if closed is not None:
        session.apply(closed)
        session.version += 1
    collected = collect(session)
    if collected is not None:
        session.apply(collected)
        session.version += 1
    return session.tally_votes(opened=open_boxes(SEAL, session))
