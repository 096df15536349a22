"""argon2id's cost: the library's recommended parameters in production; the test stack's cheap profile
(`ZC_PASSWORD_HASH_PROFILE=test`, set by the harness for its hundreds of throw-away accounts) is refused
there, and a hash made under either profile verifies under the other (the hash records its parameters)."""

from __future__ import annotations

from pathlib import Path

import pytest
from org_service.security import passwords
from org_service.settings import OrgSettings
from pydantic import ValidationError


def test_production_refuses_the_test_hashing_profile() -> None:
    key = Path("/run/secrets/jwt.pem")
    with pytest.raises(ValidationError, match="ZC_PASSWORD_HASH_PROFILE"):
        OrgSettings(
            environment="production", service_client_secret="s", jwt_private_key_file=key, password_hash_profile="test"
        )
    production = OrgSettings(environment="production", service_client_secret="s", jwt_private_key_file=key)
    assert production.password_hash_profile == "standard"


async def test_hashes_verify_across_profiles() -> None:
    try:
        passwords.use_profile("test")
        cheap = await passwords.hash_password("Pl0ngPassword#1")
        passwords.use_profile("standard")
        full = await passwords.hash_password("Pl0ngPassword#1")
        assert "m=1024,t=1,p=1" in cheap and cheap != full
        assert await passwords.verify_password(cheap, "Pl0ngPassword#1")
        assert await passwords.verify_password(full, "Pl0ngPassword#1")
        assert not await passwords.verify_password(cheap, "wrong")
    finally:
        passwords.use_profile("standard")
