"""Who may call: cities by OAuth2 client credentials with a signed client assertion (RFC 7523
`private_key_jwt`), then a short-lived access token; the provincial reviewer by a bearer token."""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.provincial import FILING_SCOPE
from zhicheng_kernel.signing import SignatureError, verify_client_assertion

from .errors import ProvinceError, unauthorized
from .settings import SimulatorSettings
from .tables import assertion_jtis

TOKEN_AUDIENCE = "province"
TOKEN_ISSUER = "provincial-simulator"


def invalid_client(detail: str) -> ProvinceError:
    return ProvinceError(401, "invalid_client", detail)


@dataclass
class TokenIssuer:
    """Access tokens: EdDSA JWTs signed by a key generated when the simulator starts (a restart
    invalidates them; the city's client then fetches a fresh one)."""

    lifetime: int
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    def issue(self, client_id: str, now: datetime) -> str:
        issued = int(now.timestamp())
        claims = {
            "iss": TOKEN_ISSUER,
            "sub": client_id,
            "aud": TOKEN_AUDIENCE,
            "scope": FILING_SCOPE,
            "jti": str(uuid.uuid4()),
            "iat": issued,
            "exp": issued + self.lifetime,
        }
        return jwt.encode(claims, self.key, algorithm="EdDSA")

    def client_of(self, authorization: str | None) -> str:
        """The client id of a valid access token with the filing scope, or 401."""
        token = _bearer(authorization)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self.key.public_key(),
                algorithms=["EdDSA"],
                audience=TOKEN_AUDIENCE,
                issuer=TOKEN_ISSUER,
                options={"require": ["sub", "exp", "scope"]},
            )
        except jwt.PyJWTError:
            raise unauthorized("访问令牌无效或已过期，请重新获取") from None
        if FILING_SCOPE not in str(claims["scope"]).split():
            raise ProvinceError(403, "insufficient_scope", "访问令牌没有报送权限")
        return str(claims["sub"])


async def verify_assertion(conn: AsyncConnection, settings: SimulatorSettings, assertion: str, now: datetime) -> str:
    """The client id of a valid, unused client assertion; 401 invalid_client otherwise. Its `aud`
    must be one of the token endpoint's own URLs (`settings.token_audiences`); its `jti` is recorded
    until the assertion expires, so the same assertion is refused a second time."""
    try:
        unverified = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise invalid_client("客户端断言格式错误") from None
    audience = unverified.get("aud")
    if not isinstance(audience, str) or audience not in settings.token_audiences:
        raise invalid_client("客户端断言的 aud 不是本令牌端点")
    try:
        claims = verify_client_assertion(assertion, settings.client_keys, audience, now=now.timestamp())
    except SignatureError as exc:
        raise invalid_client(f"客户端断言无效（{exc}）") from None
    client_id, jti = str(claims["iss"]), str(claims["jti"])
    if len(jti) > 200 or len(client_id) > 100:
        raise invalid_client("客户端断言的 jti 过长")
    await conn.execute(delete(assertion_jtis).where(assertion_jtis.c.expires_at < now))
    expires = datetime.fromtimestamp(int(claims["exp"]), UTC) + timedelta(seconds=30)
    recorded = await conn.execute(
        insert(assertion_jtis)
        .values(client_id=client_id, jti=jti, expires_at=expires)
        .on_conflict_do_nothing()
        .returning(assertion_jtis.c.jti)
    )
    if recorded.first() is None:
        raise invalid_client("客户端断言已被使用过（jti 重放）")
    return client_id


def check_reviewer(settings: SimulatorSettings, authorization: str | None) -> None:
    """The provincial reviewer's bearer token, compared in constant time; 401 otherwise."""
    token = _bearer(authorization)
    if not hmac.compare_digest(token.encode(), settings.province_reviewer_token.encode()):
        raise unauthorized("审核员令牌无效")


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or len(token) > 4096:
        raise unauthorized("缺少 Bearer 令牌")
    return token.strip()
