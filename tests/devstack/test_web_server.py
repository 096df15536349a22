"""The stack's web server (zhicheng_devstack.web_server) routes like the production gateway: each
service's paths reach that service, internal paths stay 404, the gateway's body caps hold, unknown page
paths serve the single-page application, and a service that is down is a 502 in Chinese."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from zhicheng_devstack.gateway_routes import PUBLIC_ROUTES, body_limit, route
from zhicheng_devstack.web import WebProcess, web_env
from zhicheng_devstack.web_server import ASSET_CACHE, INDEX_CACHE, UPSTREAM_ENV, WebConfig, WebServer
from zhicheng_kernel.edge import MB

from tests.api_client import Api, bearer
from tests.deploy.stack_files import COMPOSE_GATEWAY_CONF, INTERNAL_PATHS
from tests.deploy.test_gateway_routing import children, parse_nginx
from tests.harness import Stack

INDEX = "<!doctype html><title>平凉市职称评审系统</title>"
ASSET = "console.log('zhicheng');"
PAGE_PATHS = ["/", "/login", "/org/tree", "/applications/a1/timeline?tab=2", "/verify-document/ZC-2026-1"]


def _dist(root: Path) -> Path:
    dist = root / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX, encoding="utf-8")
    (dist / "assets" / "index-4f3a.js").write_text(ASSET)
    (dist / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (dist / ".zc-build-stamp").write_text("x\n")
    return dist


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the route table (pure) ---------------------------------------------------------------------


def test_the_route_table_is_the_gateways_own() -> None:
    """Every location of deploy/gateway/nginx.conf that proxies is in the table, with the same service
    and the same body cap (client_max_body_size), and the other way round."""
    (http,) = children(parse_nginx(COMPOSE_GATEWAY_CONF), "http")
    default_cap = {d.args[0] for d in children(http.block, "client_max_body_size")}
    assert default_cap == {"1m"}
    (api,) = [s for s in children(http.block, "server") if any("ssl" in d.args for d in children(s.block, "listen"))]
    nginx: dict[str, tuple[str, int]] = {}
    for loc in children(api.block, "location"):
        modifier, path = ("", loc.args[0]) if len(loc.args) == 1 else loc.args
        proxy = children(loc.block, "proxy_pass")
        if not proxy:
            continue
        upstream = proxy[0].args[0].removeprefix("http://").replace("_", "-")
        caps = [d.args[0] for d in children(loc.block, "client_max_body_size")] or ["1m"]
        nginx[("=" if modifier == "=" else "") + path] = (upstream, int(caps[0].removesuffix("m")) * MB)
    ours = {entry: (service, body_limit(entry.removeprefix("="))) for entry, service in PUBLIC_ROUTES.items()}
    assert ours == nginx


def test_routes_pick_the_exact_path_then_the_longest_prefix() -> None:
    assert route("/api/v1/external/filings/f1") == "application-service"
    assert route("/api/v1/external/documents") == "review-service"
    assert route("/api/v1/audit/application/entries") == "application-service"
    assert route("/api/v1/audit") == "org-service"
    assert route("/.well-known/jwks.json") == "org-service"
    assert route("/.well-known/jwks.json/x") is None
    assert route("/verify") is None  # NAT-10: the web application's page, which the QR codes open
    for uri in INTERNAL_PATHS:
        assert route(uri.split("?")[0]) is None, uri
    assert body_limit("/api/v1/corpus/documents:bulk") == 32 * MB
    assert body_limit("/api/v1/orgs") == 1 * MB


# -- the server in process (pure: no service behind it) -----------------------------------------


@pytest.fixture
def in_process(tmp_path: Path) -> Iterator[httpx.Client]:
    """The ASGI application itself, each service's URL a closed port (all of them down)."""
    dead = f"http://127.0.0.1:{_closed_port()}"
    server = WebServer(WebConfig(_dist(tmp_path), {name: dead for name in UPSTREAM_ENV}))
    transport = httpx.ASGITransport(app=server)

    with httpx.Client(transport=_SyncASGI(transport), base_url="http://web.test") as client:
        yield client


class _SyncASGI(httpx.BaseTransport):
    """httpx's ASGI transport is async only: each request on a fresh event loop."""

    def __init__(self, transport: httpx.ASGITransport) -> None:
        self.transport = transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        import asyncio

        async def once() -> httpx.Response:
            body = request.read()
            forwarded = httpx.Request(request.method, request.url, headers=request.headers, content=body)
            response = await self.transport.handle_async_request(forwarded)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return asyncio.run(once())


def test_page_paths_serve_the_application_and_assets_are_cached(in_process: httpx.Client) -> None:
    for path in PAGE_PATHS:
        r = in_process.get(path)
        assert r.status_code == 200, path
        assert r.text == INDEX
        assert r.headers["cache-control"] == INDEX_CACHE
        assert r.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in r.headers["content-security-policy"]
    r = in_process.get("/assets/index-4f3a.js")
    assert (r.status_code, r.text, r.headers["cache-control"]) == (200, ASSET, ASSET_CACHE)
    assert "javascript" in r.headers["content-type"]
    assert in_process.get("/favicon.svg").headers["content-type"].startswith("image/svg")
    assert in_process.get("/assets/gone-1234.js").status_code == 404  # never index.html for a script
    assert in_process.get("/.zc-build-stamp").text == INDEX  # hidden files are not served
    assert in_process.get("/../../etc/passwd").text == INDEX
    assert in_process.get("/healthz").text == "ok\n"


def test_internal_paths_are_404_problems(in_process: httpx.Client) -> None:
    for uri in [*INTERNAL_PATHS, "/api/v1/internal/anything", "/api/v2/orgs", "/.well-known/other"]:
        if uri == "/":
            continue
        r = in_process.get(uri)
        assert r.status_code == 404, uri
        assert r.headers["content-type"] == "application/problem+json", uri


def test_a_service_that_is_down_is_a_502_in_chinese(in_process: httpx.Client) -> None:
    r = in_process.get("/api/v1/orgs")
    assert r.status_code == 502
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == "组织与账号服务暂时无法访问，请稍后重试。"


def test_a_declared_body_over_the_cap_is_refused_before_any_service(in_process: httpx.Client) -> None:
    r = in_process.post("/api/v1/orgs", content=b"x" * (MB + 1), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert "最多接受 1 MB" in r.json()["detail"]


# -- in front of the real services --------------------------------------------------------------


@pytest.fixture(scope="module")
def served(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("web-server")
    dist = _dist(root)
    web = WebProcess(_closed_port(), root, root / "logs")
    upstreams = {name: stack.url(name) for name in UPSTREAM_ENV}
    web.launch(web_env(web.port, dist, upstreams, {}), cwd=root)
    try:
        web.wait_ready()
        yield web.url
    finally:
        web.stop()


def test_each_service_answers_its_own_paths(served: str, stack: Stack) -> None:
    api = Api(stack)
    token = bearer(api.admin_token())
    missing = uuid.uuid4()
    probes = {
        "org-service": "/api/v1/roles",
        "application-service": "/api/v1/schedules/2021",
        "review-service": f"/api/v1/committees/{missing}",
        "plagiarism-service": f"/api/v1/checks/{missing}",
    }
    answers = []
    for service, path in probes.items():
        assert route(path) == service
        through = httpx.get(served + path, headers=token, timeout=30)
        direct = httpx.get(stack.url(service) + path, headers=token, timeout=30)
        assert (through.status_code, _answer(through)) == (direct.status_code, _answer(direct)), path
        assert through.headers["x-content-type-options"] == "nosniff"
        answers.append(through.text)
    assert len(set(answers)) == len(answers), "each service gave its own answer"


def _answer(response: httpx.Response) -> object:
    """The body less what differs from one request to the next (a problem's correlation id)."""
    body = response.json()
    if isinstance(body, dict):
        body.pop("correlation_id", None)
    return body


def test_redirects_are_passed_on_not_followed(served: str, stack: Stack) -> None:
    direct = httpx.get(stack.url("org-service") + "/api/v1/roles/", timeout=30)
    through = httpx.get(served + "/api/v1/roles/", timeout=30)
    assert direct.status_code == through.status_code == 307  # FastAPI's trailing-slash redirect
    assert through.headers["location"].endswith("/api/v1/roles")


def test_body_caps_follow_the_route(served: str, stack: Stack) -> None:
    token = bearer(Api(stack).admin_token())
    over = b"x" * (MB + 1024)
    r = httpx.post(served + "/api/v1/orgs", content=over, headers=token, timeout=30)
    assert r.status_code == 413  # 1 MB at /api/v1/orgs

    def chunks() -> Iterator[bytes]:
        for _ in range(17):
            yield b"x" * (64 * 1024)

    r = httpx.post(served + "/api/v1/orgs", content=chunks(), headers=token, timeout=30)
    assert r.status_code == 413  # the same when the body streams in without a length

    r = httpx.post(
        served + "/api/v1/checks", content=over, headers={**token, "content-type": "application/json"}, timeout=30
    )
    assert r.status_code != 413 and r.status_code < 500  # 8 MB at /api/v1/checks: the service decides


def test_internal_paths_of_the_services_stay_unrouted(served: str) -> None:
    for uri in ["/health", "/api/v1/events?after=0&limit=1", "/api/v1/internal/push-windows/2026/x", "/docs"]:
        r = httpx.get(served + uri, timeout=30)
        assert r.status_code == 404, uri
    r = httpx.get(served + "/org/tree", timeout=30)
    assert (r.status_code, r.text) == (200, INDEX)


def test_the_services_see_the_connections_address_and_the_edge_mark(served: str, stack: Stack) -> None:
    """As at the gateway: X-Zc-Client-Addr is the connection's own address (a client's X-Forwarded-For
    or X-Zc-Client-Addr is replaced), the caller's X-Request-ID goes through, and X-Zc-Edge: public
    tells org-service the call came from outside (no internal client secret accepted)."""
    api = Api(stack)
    token = api.admin_token()
    request_id = f"web-{uuid.uuid4().hex[:12]}"
    spoofed = {"X-Forwarded-For": "203.0.113.9", "X-Zc-Client-Addr": "203.0.113.9", "X-Request-ID": request_id}
    r = httpx.post(
        served + "/api/v1/accounts/business-admins",
        json={"display_name": "赵敏", "roles": ["push"]},
        headers={**bearer(token), **spoofed},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    r = httpx.get(served + "/api/v1/audit", params={"limit": 50}, headers=bearer(token), timeout=30)
    assert r.status_code == 200, r.text
    entries = [e for e in r.json() if e["request_id"] == request_id]
    assert entries and {e["ip"] for e in entries} == {"127.0.0.1"}

    grant = {
        "grant_type": "client_credentials",
        "client_id": "workflows",
        "client_secret": stack.secrets.client_secrets["workflows"],
    }
    assert httpx.post(stack.url("org-service") + "/api/v1/auth/token", data=grant, timeout=30).status_code == 200
    r = httpx.post(served + "/api/v1/auth/token", data=grant, headers={"X-Zc-Edge": "internal"}, timeout=30)
    assert r.status_code == 403
    assert r.json()["code"] == "client_secret_not_accepted"
