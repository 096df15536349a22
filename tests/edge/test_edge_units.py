"""Pure tests of the kernel's edge: the audience and scope a route expects (finding 8), the client
address an audit row records (finding 14) and the clock skew a token may have (the smaller finding)."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest
from starlette.types import Message, Receive, Scope, Send
from zhicheng_kernel.auth import (
    INTERNAL_AUDIENCE,
    INTERNAL_GRANTS,
    Principal,
    check_route_audience,
    internal_scopes,
)
from zhicheng_kernel.errors import DomainError
from zhicheng_kernel.origin import Origin, OriginMiddleware, current_origin
from zhicheng_kernel.testing import TokenSigner

ROOT = Path(__file__).resolve().parents[2]


def _service(client: str) -> Principal:
    return Principal(
        subject=f"service:{client}",
        username=client,
        kind="service",
        org_id=None,
        org_path="",
        roles=frozenset({"service"}),
        scopes=frozenset(internal_scopes(client)),
        audience=INTERNAL_AUDIENCE,
    )


def _user() -> Principal:
    return Principal("u-1", "u", "user", "o-1", "/o-1/", frozenset({"system_admin"}))


def _refusal(principal: Principal, path: str, service: str) -> str | None:
    try:
        check_route_audience(principal, path, service)
    except DomainError as exc:
        return exc.code
    return None


def test_finding_8_each_route_takes_only_the_audience_and_scope_it_expects() -> None:
    """Finding 8: "every client gets the same `service` role without scope or audience; `/internal`
    endpoints trust any of them"."""
    workflows, review = _service("workflows"), _service("review-service")
    assert _refusal(workflows, "/api/v1/internal/sessions/s/tally", "review-service") is None
    assert _refusal(review, "/api/v1/internal/sessions/s/tally", "review-service") == "scope_required"
    assert _refusal(workflows, "/api/v1/internal/filings/p/deliver", "application-service") is None
    assert _refusal(workflows, "/api/v1/events", "org-service") == "scope_required"
    assert _refusal(review, "/api/v1/events", "org-service") is None
    assert _refusal(review, "/api/v1/events", "plagiarism-service") == "scope_required"
    assert _refusal(_user(), "/api/v1/internal/sessions/s/tally", "review-service") == "service_only"
    assert _refusal(_user(), "/api/v1/events", "org-service") == "service_only"
    assert _refusal(review, "/api/v1/orgs", "org-service") == "user_token_required"
    assert _refusal(_user(), "/api/v1/orgs", "org-service") is None
    # the one public read a client makes: the committee session's held candidates
    assert _refusal(workflows, "/api/v1/sessions/s", "review-service") is None
    assert _refusal(workflows, "/api/v1/applications", "application-service") == "user_token_required"


def test_finding_8_the_grants_are_the_calls_the_code_makes() -> None:
    """Finding 8: the table of grants matches who really calls what (consumers' feeds, workflow activities)."""
    for service in ("org-service", "application-service", "review-service", "plagiarism-service"):
        package = service.replace("-", "_")
        consumers = (ROOT / "services" / service / "src" / package / "consumers.py").read_text(encoding="utf-8")
        sources = set(re.findall(r'Subscription\(\s*"([a-z-]+)"', consumers))
        assert {f"feed:{s}" for s in sources} == INTERNAL_GRANTS[service], service
    activities = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "workflows" / "src").rglob("activities.py"))
    assert "/api/v1/internal/review-years" in activities and "/api/v1/internal/sessions" in activities
    assert "/api/v1/internal/push-windows" in activities
    assert "/api/v1/internal/filings" in activities
    assert {"internal:review-service", "internal:application-service"} <= INTERNAL_GRANTS["workflows"]


def test_finding_8_a_service_token_with_the_users_audience_is_refused() -> None:
    """Finding 8: a token claiming kind=service must carry the internal audience (and only then)."""
    signer = TokenSigner()
    verifier = signer.verifier()
    forged = signer.token("workflows", kind="service", roles=["service"], aud="zhicheng")
    with pytest.raises(DomainError) as refused:
        asyncio.run(verifier.verify(forged))
    assert refused.value.code == "invalid_token"
    internal_user = signer.token("u-1", aud=INTERNAL_AUDIENCE)
    with pytest.raises(DomainError):
        asyncio.run(verifier.verify(internal_user))
    principal = asyncio.run(verifier.verify(signer.token("workflows", kind="service", roles=["service"])))
    assert principal.audience == INTERNAL_AUDIENCE and "internal:review-service" in principal.scopes


def test_a_token_within_the_clock_skew_leeway_is_accepted() -> None:
    """The smaller finding "no `leeway` for clock skew": a token issued by a clock 10 s ahead, or
    expired 10 s ago by ours, is still valid; one expired a minute ago is not."""
    signer = TokenSigner()
    verifier = signer.verifier()
    now = int(time.time())
    ahead = signer.token("u-1", iat=now + 10, exp=now + 600)
    assert asyncio.run(verifier.verify(ahead)).subject == "u-1"
    just_expired = signer.token("u-1", iat=now - 600, exp=now - 10)
    assert asyncio.run(verifier.verify(just_expired)).subject == "u-1"
    long_expired = signer.token("u-1", iat=now - 600, exp=now - 60)
    with pytest.raises(DomainError) as refused:
        asyncio.run(verifier.verify(long_expired))
    assert refused.value.code == "token_expired"


def _origin_of(headers: dict[str, str], peer: str = "10.0.0.7") -> Origin:
    seen: list[Origin] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        origin = current_origin.get()
        assert origin is not None
        seen.append(origin)

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        return None

    scope: Scope = {
        "type": "http",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": (peer, 50000),
    }
    asyncio.run(OriginMiddleware(app)(scope, receive, send))
    return seen[0]


def test_finding_14_a_client_supplied_x_forwarded_for_is_not_the_audited_address() -> None:
    """Finding 14: "The audit log's client address can be spoofed through `X-Forwarded-For`"."""
    spoofed = _origin_of({"X-Forwarded-For": "203.0.113.9"})
    assert spoofed.ip == "10.0.0.7", "a header any client writes is ignored"
    through_gateway = _origin_of({"X-Forwarded-For": "203.0.113.9, 198.51.100.4", "X-Zc-Client-Addr": "198.51.100.4"})
    assert through_gateway.ip == "198.51.100.4", "the gateway's own header, set from $remote_addr"
