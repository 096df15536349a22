"""NAT-2's sealed ballot box: a ballot's content is sealed when it is cast (AES-256-GCM, a fresh random
nonce, the session id as associated data) under the ballot key, which lives in a file of its own
(ZC_BALLOT_KEY_FILE) — never in the database, the broker or the logs. Only the tally opens the boxes.

A sealed ballot has one length whatever its votes: each vote is one letter and the text is padded to
a multiple of PAD_TO bytes, so neither a box's size nor its content tells an expert's ballot apart
to anyone without the key.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..domain.events import Vote

if TYPE_CHECKING:
    from ..settings import ReviewSettings

log = logging.getLogger(__name__)

KEY_BYTES = 32
NONCE_BYTES = 12
PAD_TO = 1024
_LETTER: dict[str, str] = {"yes": "y", "no": "n", "abstain": "a"}
_VOTE: dict[str, Vote] = {"y": "yes", "n": "no", "a": "abstain"}


class BallotKeyError(ValueError):
    """The ballot key file is missing or does not hold a 32-byte key (base64)."""


class UnreadableBallot(ValueError):
    """A box that this key did not seal for this session (a forged, damaged or foreign box)."""


def new_ballot_key() -> str:
    """A new ballot key as the key file holds it: 32 random bytes, base64."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode()


def read_ballot_key(path: Path) -> bytes:
    """The key of a key file (base64 of 32 bytes, surrounding whitespace ignored)."""
    try:
        key = base64.b64decode(path.read_text().strip(), validate=True)
    except (OSError, binascii.Error, UnicodeDecodeError) as exc:
        raise BallotKeyError(f"cannot read the ballot key {path}: {exc.__class__.__name__}") from exc
    if len(key) != KEY_BYTES:
        raise BallotKeyError(f"the ballot key {path} must hold {KEY_BYTES} bytes (base64)")
    return key


class BallotSeal:
    """Seals and opens the ballots of every session under one key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise BallotKeyError(f"a ballot key has {KEY_BYTES} bytes")
        self._aead = AESGCM(key)

    @classmethod
    def from_file(cls, path: Path) -> BallotSeal:
        return cls(read_ballot_key(path))

    @classmethod
    def ephemeral(cls) -> BallotSeal:
        """A key of this process only (outside production, without ZC_BALLOT_KEY_FILE): ballots cast
        before a restart cannot be opened after it."""
        log.warning("no ZC_BALLOT_KEY_FILE: ballots are sealed under a key that dies with this process")
        return cls(os.urandom(KEY_BYTES))

    def seal(self, session_id: str, ballot: Mapping[str, Vote]) -> str:
        """The box of a ballot: base64 of nonce + ciphertext, its length independent of the votes."""
        text = json.dumps(sorted((a, _LETTER[v]) for a, v in ballot.items()), separators=(",", ":"))
        data = text.encode()
        data += b" " * (-len(data) % PAD_TO)
        nonce = os.urandom(NONCE_BYTES)
        return base64.b64encode(nonce + self._aead.encrypt(nonce, data, session_id.encode())).decode()

    def open(self, session_id: str, sealed: str) -> dict[str, Vote]:
        """The ballot in a box sealed for this session under this key; UnreadableBallot otherwise."""
        try:
            raw = base64.b64decode(sealed, validate=True)
            data = self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], session_id.encode())
            pairs = json.loads(data.decode())
            return {str(a): _VOTE[str(letter)] for a, letter in pairs}
        except (binascii.Error, InvalidTag, ValueError, KeyError, TypeError) as exc:
            raise UnreadableBallot(f"a ballot box of session {session_id} cannot be opened") from exc


def ballot_seal_for(settings: ReviewSettings) -> BallotSeal:
    """The service's seal: the key of ZC_BALLOT_KEY_FILE (required in production: the settings refuse
    to start without it), else a key of this process only."""
    if settings.ballot_key_file is not None:
        return BallotSeal.from_file(settings.ballot_key_file)
    return BallotSeal.ephemeral()
