"""Who is calling: JWTs signed by org-service, verified here from its JWKS without calling back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from .errors import Forbidden, Unauthorized
from .http_client import async_client
from .roles import Role

ISSUER = "zhicheng-org-service"
# People's and external systems' tokens; internal services' tokens carry INTERNAL_AUDIENCE instead, so
# neither kind is accepted where the other is expected.
AUDIENCE = "zhicheng"
INTERNAL_AUDIENCE = "zhicheng-internal"
# Tolerated clock skew between org-service and the verifying service, in seconds (exp, iat, nbf).
LEEWAY_SECONDS = 30

# The one table of what each internal client may call (its token's `scope`), derived from the calls the
# code makes: `feed:<service>` reads that service's event feed (consumers' catch-up, feed.FeedClient),
# `internal:<service>` calls its /api/v1/internal routes (the workflow activities), `api:<service>` lets the
# client read that service's public routes (the committee session's `held_candidates` reads
# GET /api/v1/sessions/{id}). A client not listed here gets no scope and is refused everywhere.
INTERNAL_GRANTS: dict[str, frozenset[str]] = {
    "org-service": frozenset({"feed:application-service", "feed:review-service"}),
    "application-service": frozenset({"feed:org-service", "feed:plagiarism-service", "feed:review-service"}),
    "review-service": frozenset({"feed:application-service", "feed:org-service"}),
    "plagiarism-service": frozenset({"feed:application-service", "feed:org-service"}),
    "workflows": frozenset({"internal:application-service", "internal:review-service", "api:review-service"}),
}


@dataclass(frozen=True)
class Principal:
    subject: str
    username: str
    kind: str  # "user", "service", or "external" (a provincial body's system)
    org_id: str | None
    org_path: str  # materialised path of org ids, "/<root>/<child>/.../", "" for services
    roles: frozenset[str]
    display_name: str = ""
    must_change_password: bool = False
    org_kind: str = ""  # the kind of the caller's organization, e.g. "title_office"
    # An external client's OAuth scopes (e.g. "documents:verify") and the series it may see (empty: all).
    scopes: frozenset[str] = frozenset()
    series: frozenset[str] = frozenset()
    audience: str = AUDIENCE

    def has(self, *roles: Role) -> bool:
        return any(r.value in self.roles for r in roles)

    def covers(self, org_path: str) -> bool:
        """Whether `org_path` lies in this principal's organization subtree."""
        return bool(self.org_path) and org_path.startswith(self.org_path)

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Principal:
        return cls(
            subject=str(claims["sub"]),
            username=str(claims.get("username", claims["sub"])),
            kind=str(claims.get("kind", "user")),
            org_id=claims.get("org_id"),
            org_path=str(claims.get("org_path", "")),
            roles=frozenset(claims.get("roles", [])),
            display_name=str(claims.get("name", "")),
            must_change_password=bool(claims.get("pwc", False)),
            org_kind=str(claims.get("org_kind", "")),
            scopes=frozenset(str(claims.get("scope", "")).split()),
            series=frozenset(claims.get("series") or []),
            audience=str(claims.get("aud", AUDIENCE)),
        )

    def sees_series(self, series: str) -> bool:
        """An external client restricted to some series (省卫健委: 卫生系列) sees only those."""
        return not self.series or series in self.series


def require_role(principal: Principal, *roles: Role) -> None:
    if not principal.has(*roles):
        names = "、".join(r.value for r in roles)
        raise Forbidden("role_required", f"当前账号没有执行此操作所需的角色（{names}）。")


def require_scope(principal: Principal, org_path: str) -> None:
    if not principal.covers(org_path):
        raise Forbidden("outside_scope", "该事项不属于您所在单位及其下级单位，无权查看或办理。")


def require_client_scope(principal: Principal, scope: str) -> None:
    """The endpoints provincial systems call: an external client holding `scope` (nobody else)."""
    if principal.kind != "external" or Role.PROVINCIAL_CLIENT.value not in principal.roles:
        raise Forbidden("external_client_only", "此接口仅供经备案的省级系统通过其客户端凭据调用。")
    if scope not in principal.scopes:
        raise Forbidden("scope_required", f"该客户端未被授予此接口所需的权限范围（{scope}）。", extra={"scope": scope})


def require_service(principal: Principal) -> None:
    """A service's internal token (the scope of the route is checked with the token: check_route_audience)."""
    if principal.kind != "service" or principal.audience != INTERNAL_AUDIENCE:
        raise Forbidden("service_only", "此接口仅供系统内部服务调用。")


class TokenVerifier:
    """Verifies tokens against the issuer's JWKS; refreshes the keys when an unknown kid appears."""

    def __init__(self, jwks_url: str | None = None, jwks: dict[str, Any] | None = None) -> None:
        self.jwks_url = jwks_url
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()
        if jwks is not None:
            self._load(jwks)

    def _load(self, jwks: dict[str, Any]) -> None:
        keyset = jwt.PyJWKSet.from_dict(jwks)
        self._keys = {k.key_id: k for k in keyset.keys if k.key_id}

    async def _refresh(self) -> None:
        if self.jwks_url is None:
            return
        async with self._lock:
            if time.monotonic() - self._fetched_at < 5:
                return
            async with async_client(timeout=5) as client:
                response = await client.get(self.jwks_url)
                response.raise_for_status()
            self._load(response.json())
            self._fetched_at = time.monotonic()

    async def verify(self, token: str) -> Principal:
        try:
            kid = str(jwt.get_unverified_header(token).get("kid", ""))
        except jwt.PyJWTError as exc:
            raise Unauthorized("invalid_token", "登录凭证无效，请重新登录。") from exc
        if kid not in self._keys:
            try:
                await self._refresh()
            except httpx.HTTPError as exc:
                raise Unauthorized("token_keys_unavailable", "暂时无法验证登录凭证，请稍后重试。") from exc
        key = self._keys.get(kid)
        if key is None:
            raise Unauthorized("invalid_token", "登录凭证无效，请重新登录。")
        try:
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=["EdDSA"],
                audience=[AUDIENCE, INTERNAL_AUDIENCE],
                issuer=ISSUER,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "sub", "iat"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("token_expired", "登录已过期，请重新登录。") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("invalid_token", "登录凭证无效，请重新登录。") from exc
        if claims.get("typ") != "access":
            raise Unauthorized("invalid_token", "登录凭证类型不正确。")
        # A service's token is only ever internal and an internal token only ever a service's.
        if (claims.get("kind") == "service") != (claims.get("aud") == INTERNAL_AUDIENCE):
            raise Unauthorized("invalid_token", "登录凭证无效，请重新登录。")
        return Principal.from_claims(claims)


PASSWORD_CHANGE_PATH = "/api/v1/auth/password"

# The principal of the request being handled (set once its token is verified), for audit trails.
current_actor: ContextVar[Principal | None] = ContextVar("current_actor", default=None)

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def current_principal(request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]) -> Principal:
    if not token:
        raise Unauthorized("unauthenticated", "请先登录。")
    verifier: TokenVerifier = request.app.state.verifier
    principal = await verifier.verify(token)
    check_route_audience(principal, request.url.path, _service_name(request))
    current_actor.set(principal)
    request.state.principal = principal  # for the access audit of external clients (access_audit.py)
    if principal.must_change_password and request.url.path != PASSWORD_CHANGE_PATH:
        raise Forbidden("password_change_required", "首次登录须先修改初始密码。")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def service_principal(principal: CurrentPrincipal) -> Principal:
    """For routers of internal endpoints: checked before the request body is even read."""
    require_service(principal)
    return principal


ServicePrincipal = Annotated[Principal, Depends(service_principal)]


def internal_scopes(client_id: str) -> list[str]:
    """The scopes org-service puts in the token of internal client `client_id` (INTERNAL_GRANTS)."""
    return sorted(INTERNAL_GRANTS.get(client_id, frozenset()))


INTERNAL_PREFIX = "/api/v1/internal/"
FEED_PATH = "/api/v1/events"


def route_scope(path: str, service: str) -> str | None:
    """The scope a route of `service` requires of an internal token: `internal:<service>` under
    /api/v1/internal, `feed:<service>` for the event feed; None for the routes people call."""
    if path.startswith(INTERNAL_PREFIX):
        return f"internal:{service}"
    if path == FEED_PATH:
        return f"feed:{service}"
    return None


def check_route_audience(principal: Principal, path: str, service: str) -> None:
    """Internal routes take only service tokens holding the route's scope (`internal:`/`feed:` of this
    service); the routes people call take no service token unless it holds `api:<service>`."""
    needed = route_scope(path, service)
    if needed is not None:
        if principal.kind != "service" or principal.audience != INTERNAL_AUDIENCE:
            raise Forbidden("service_only", "此接口仅供系统内部服务调用。")
        if needed not in principal.scopes:
            message = f"该内部服务未被授予此接口所需的权限范围（{needed}）。"
            raise Forbidden("scope_required", message, extra={"scope": needed})
    elif principal.kind == "service" and f"api:{service}" not in principal.scopes:
        raise Forbidden("user_token_required", "内部服务凭据不能调用此接口。")


def _service_name(request: Request) -> str:
    context = getattr(request.app.state, "context", None)
    return str(getattr(context, "name", ""))


class ServiceCredentials:
    """A service's own token (OAuth2 client credentials at org-service), renewed before it expires."""

    def __init__(self, token_url: str, client_id: str, client_secret: str) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        async with self._lock:
            if self._token is None or time.monotonic() > self._expires - 60:
                async with async_client(timeout=10) as client:
                    response = await client.post(
                        self.token_url,
                        data={
                            "grant_type": "client_credentials",
                            "client_id": self.client_id,
                            "client_secret": self.client_secret,
                        },
                    )
                    response.raise_for_status()
                body = response.json()
                self._token = str(body["access_token"])
                self._expires = time.monotonic() + float(body.get("expires_in", 300))
            return self._token

    async def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token()}"}


def role_values(roles: Iterable[Role | str]) -> list[str]:
    return sorted({r.value if isinstance(r, Role) else str(r) for r in roles})
