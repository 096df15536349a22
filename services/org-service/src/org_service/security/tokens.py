"""Access tokens signed with Ed25519 (EdDSA); the public key is published as a JWKS."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from zhicheng_kernel.auth import AUDIENCE, ISSUER


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenIssuer:
    def __init__(self, key_file: Path, access_minutes: int) -> None:
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the JWT signing key must be an Ed25519 private key")
        self._key = key
        raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self._public_jwk = {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw), "use": "sig", "alg": "EdDSA"}
        thumbprint = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": _b64(raw)}, separators=(",", ":"))
        self.kid = _b64(hashlib.sha256(thumbprint.encode()).digest())[:16]
        self.access_minutes = access_minutes

    def jwks(self) -> dict[str, Any]:
        return {"keys": [{**self._public_jwk, "kid": self.kid}]}

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
