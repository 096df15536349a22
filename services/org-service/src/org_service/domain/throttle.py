"""Login throttling: temporary locks with backoff that no stranger can make permanent.

Failed logins are counted under two keys of the typed username (whether or not an account holds it,
so the answers never tell which usernames exist): the username with the client's address, which a
few failures lock (the attacker's address is held off, the holder elsewhere still logs in), and the
username from anywhere, which takes many more (a guesser rotating addresses). A limit reached locks
that key for a while, twice as long with each further lock up to a ceiling, and never for good; a
correct password clears the key with that address; the organization's system administrator clears
both (`POST /api/v1/accounts/{id}/unlock`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Throttle:
    """One key's state: failures since its last lock, locks so far, and until when it is locked."""

    failures: int
    locks: int
    locked_until: datetime | None

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


FRESH = Throttle(failures=0, locks=0, locked_until=None)


def account_key(username: str) -> str:
    """The key of a typed username, hashed: what people type as a username (an ID number, a password
    typed in the wrong field) is not kept."""
    return f"user:{hashlib.sha256(username.casefold().encode()).hexdigest()[:32]}"


def pair_key(username: str, address: str) -> str:
    return f"{account_key(username)}|addr:{address}"


def after_failure(state: Throttle, now: datetime, *, limit: int, base: timedelta, cap: timedelta) -> Throttle:
    """One more failure; at `limit` the key is locked for `base` doubled per earlier lock, at most `cap`."""
    failures = state.failures + 1
    if failures < limit:
        return Throttle(failures=failures, locks=state.locks, locked_until=state.locked_until)
    lasting = min(base * (2 ** min(state.locks, 20)), cap)
    return Throttle(failures=0, locks=state.locks + 1, locked_until=now + lasting)
