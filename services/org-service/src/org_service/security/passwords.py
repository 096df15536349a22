"""argon2id password hashing, run in a worker thread, and one-time initial passwords.

Hashing and verifying cost tens of milliseconds of CPU at the standard profile: they run in a thread
(`asyncio.to_thread`, argon2 releases the interpreter lock), never on the event loop, and callers do
it before they take a row lock or open the transaction that appends (finding 12 of issue 12).
"""

from __future__ import annotations

import asyncio
import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2id with the library's current recommended parameters; the test stack's cheap profile (settings'
# password_hash_profile, refused in production). A hash records its own parameters, so either verifies both.
_PROFILES = {
    "standard": PasswordHasher(),
    "test": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
}
_hasher = _PROFILES["standard"]
# A hash of no one's password per profile: an unknown username costs a verification like a known one.
_DECOYS: dict[str, str] = {}

_ALPHABET = string.ascii_letters + string.digits


def use_profile(profile: str) -> None:
    """The hashing cost new passwords get in this process (set once at start from the settings)."""
    global _hasher
    _hasher = _PROFILES[profile]


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    """The argon2id hash of `password`, computed in a worker thread."""
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches `password_hash`, verified in a worker thread."""
    return await asyncio.to_thread(_verify, password_hash, password)


async def verify_decoy(password: str) -> None:
    """Spend what a verification costs, for a username nobody holds (the same timing as a wrong password)."""
    profile = next(name for name, hasher in _PROFILES.items() if hasher is _hasher)
    if profile not in _DECOYS:
        _DECOYS[profile] = await hash_password(secrets.token_urlsafe(16))
    await verify_password(_DECOYS[profile], password)


def initial_password() -> str:
    """A one-time password shown once; the holder must change it at first login."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(14))
