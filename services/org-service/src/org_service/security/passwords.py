"""argon2id password hashing and one-time initial passwords."""

from __future__ import annotations

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

_ALPHABET = string.ascii_letters + string.digits


def use_profile(profile: str) -> None:
    """The hashing cost new passwords get in this process (set once at start from the settings)."""
    global _hasher
    _hasher = _PROFILES[profile]


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def initial_password() -> str:
    """A one-time password shown once; the holder must change it at first login."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(14))
