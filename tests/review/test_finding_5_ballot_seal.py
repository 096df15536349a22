"""Issue 12, finding 5, pure: the sealed ballot box (adapters.ballot_seal) and its key (NAT-2)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from pydantic import ValidationError
from review_service.adapters.ballot_seal import (
    BallotKeyError,
    BallotSeal,
    UnreadableBallot,
    new_ballot_key,
    read_ballot_key,
)
from review_service.settings import ReviewSettings

OFFICE_KEY = {
    "certificate_key_file": Path("/run/secrets/key.pem"),
    "certificate_cert_file": Path("/run/secrets/cert.pem"),
}


def test_finding_5_a_sealed_ballot_says_nothing_of_its_votes_without_the_key_nat_2() -> None:
    """Finding 5: "Secret ballots can be linked to experts". Whatever the votes, a box has the same
    length and no readable content; it opens only with the key and only for its own session."""
    seal = BallotSeal(base64.b64decode(new_ballot_key()))
    ballots = [{"a1": v, "a2": w} for v in ("yes", "no", "abstain") for w in ("yes", "no", "abstain")]
    boxes = [seal.seal("s1", b) for b in ballots]
    assert len({len(b) for b in boxes}) == 1
    assert len(set(boxes)) == len(boxes)  # a fresh nonce each time: equal ballots look different too
    assert seal.seal("s1", ballots[0]) != seal.seal("s1", ballots[0])
    for box, ballot in zip(boxes, ballots, strict=True):
        raw = base64.b64decode(box)
        assert b'[["a1",' not in raw  # the plain text of the ballot is not in the box
        assert seal.open("s1", box) == ballot
    with pytest.raises(UnreadableBallot):
        seal.open("s2", boxes[0])  # a box moved to another session does not open
    with pytest.raises(UnreadableBallot):
        BallotSeal(b"x" * 32).open("s1", boxes[0])  # nor under another key
    tampered = base64.b64encode(bytes([base64.b64decode(boxes[0])[0] ^ 1]) + base64.b64decode(boxes[0])[1:]).decode()
    with pytest.raises(UnreadableBallot):
        seal.open("s1", tampered)
    with pytest.raises(UnreadableBallot):
        seal.open("s1", "not base64!")


def test_finding_5_the_ballot_key_lives_in_a_file_of_its_own_and_production_needs_it(tmp_path: Path) -> None:
    """NAT-2's key is not in the database, the broker or the logs: a file (ZC_BALLOT_KEY_FILE) of 32
    bytes in base64, and production refuses to start without it."""
    key_file = tmp_path / "ballot-key"
    key_file.write_text(new_ballot_key() + "\n")
    assert len(read_ballot_key(key_file)) == 32
    BallotSeal.from_file(key_file)
    short = tmp_path / "short"
    short.write_text(base64.b64encode(b"k" * 16).decode())
    for bad in (short, tmp_path / "missing"):
        with pytest.raises(BallotKeyError):
            read_ballot_key(bad)
    with pytest.raises(ValidationError) as err:
        ReviewSettings(environment="production", service_client_secret="s", **OFFICE_KEY)
    assert "ZC_BALLOT_KEY_FILE" in str(err.value)
    production = ReviewSettings(
        environment="production", service_client_secret="s", ballot_key_file=key_file, **OFFICE_KEY
    )
    assert production.ballot_key_file == key_file
