"""Access tokens signed with Ed25519 (EdDSA); the public keys are published as a JWKS.

A key rotation overlaps two keys: the JWKS publishes the signing key and the extra keys
(ZC_JWT_EXTRA_KEY_FILES: the next key before the switch, the previous one after it, until the
tokens it signed have expired), so every verifier accepts tokens of both while one signs.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from zhicheng_kernel.auth import AUDIENCE, ISSUER


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwk(public: Ed25519PublicKey) -> dict[str, str]:
    """The public key as a JWK whose kid is its RFC 7638 thumbprint (shortened)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    thumbprint = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": _b64(raw)}, separators=(",", ":"))
    kid = _b64(hashlib.sha256(thumbprint.encode()).digest())[:16]
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw), "use": "sig", "alg": "EdDSA", "kid": kid}


def _public_key(key_file: Path) -> Ed25519PublicKey:
    """An extra key's public half, from a private or a public PEM file."""
    data = key_file.read_bytes()
    key: object
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except ValueError:
        key = serialization.load_pem_public_key(data)
    if isinstance(key, Ed25519PrivateKey):
        return key.public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{key_file}: a JWT key must be an Ed25519 key")
    return key


class TokenIssuer:
    def __init__(self, key_file: Path, access_minutes: int, extra_key_files: Sequence[Path] = ()) -> None:
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the JWT signing key must be an Ed25519 private key")
        self._key = key
        signing = _jwk(key.public_key())
        self.kid = signing["kid"]
        published = {self.kid: signing}
        for extra in extra_key_files:
            jwk = _jwk(_public_key(extra))
            published.setdefault(jwk["kid"], jwk)
        self._published = list(published.values())
        self.access_minutes = access_minutes

    def jwks(self) -> dict[str, Any]:
        """The signing key first, then the previous or next keys of a rotation."""
        return {"keys": [dict(k) for k in self._published]}

    def access_token(self, claims: dict[str, Any], now: datetime, minutes: int | None = None) -> tuple[str, int]:
        lifetime = timedelta(minutes=minutes or self.access_minutes)
        body = {
            **claims,
            "iss": ISSUER,
            "aud": claims.get("aud", AUDIENCE),
            "iat": int(now.timestamp()),
            "exp": int((now + lifetime).timestamp()),
            "jti": str(uuid.uuid4()),
            "typ": "access",
        }
        token = jwt.encode(body, self._key, algorithm="EdDSA", headers={"kid": self.kid})
        return token, int(lifetime.total_seconds())


def new_refresh_token() -> tuple[str, str]:
    """A refresh token and the hash under which it is stored (the token itself is never stored)."""
    token = secrets.token_urlsafe(32)
    return token, hashlib.sha256(token.encode()).hexdigest()


def refresh_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
