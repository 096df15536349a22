"""The stack's web server: the built web application (web/dist) and the public API on one origin.

`python -m zhicheng_devstack.web_server` runs it as a process of its own (like the services), for
`make run` and the test stack. It stands in for the production gateway (deploy/gateway/nginx.conf):

- API paths go to the service the route table (zhicheng_devstack.gateway_routes) names, bodies streamed
  both ways, with the gateway's body caps (413 before the service sees a byte too many), its headers
  (`X-Zc-Client-Addr` from the connection, `X-Zc-Edge: public`, the caller's `X-Request-ID` or a new
  one; a client's own `X-Forwarded-For` replaced), redirects passed on (never followed), bounded
  timeouts, and a 502/504 problem+json in Chinese when a service is down or silent.
- The services' /health, /api/v1/events, internal routes and docs stay unrouted: 404, as at the gateway.
- Every other path is the single-page application: a file of web/dist when there is one (/assets/* are
  content-hashed: cached for a year), else index.html (never cached), so the router's deep links work.
- `/healthz` is the server's own health check, as the gateway's.

Configuration (environment): ZC_WEB_DIST (the built application), ZC_HTTP_HOST / ZC_HTTP_PORT, and the
services' base URLs ZC_ORG_URL, ZC_APPLICATION_URL, ZC_REVIEW_URL, ZC_PLAGIARISM_URL.
"""

from __future__ import annotations

import json
import mimetypes
import os
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
from starlette.types import Message, Receive, Scope, Send

from zhicheng_devstack.gateway_routes import API_PREFIXES, INTERNAL_PAGES, body_limit, route

# The service name of the route table -> the environment variable with its base URL.
UPSTREAM_ENV = {
    "org-service": "ZC_ORG_URL",
    "application-service": "ZC_APPLICATION_URL",
    "review-service": "ZC_REVIEW_URL",
    "plagiarism-service": "ZC_PLAGIARISM_URL",
}
SERVICE_NAMES_ZH = {
    "org-service": "组织与账号服务",
    "application-service": "申报服务",
    "review-service": "评审服务",
    "plagiarism-service": "查重服务",
}
# The gateway's proxy_connect_timeout / proxy_read_timeout / proxy_send_timeout.
TIMEOUT = httpx.Timeout(connect=5.0, read=120.0, write=120.0, pool=10.0)
# Headers of one hop (RFC 9110 §7.6.1), never forwarded; and those the gateway sets over a client's.
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding"}
    | {"upgrade", "proxy-connection"}
)
GATEWAY_SET = frozenset(
    {"x-zc-client-addr", "x-real-ip", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-zc-edge"}
    | {"x-request-id", "content-length"}
)
# The gateway's security headers (deploy/gateway/nginx.conf), but for plain HTTP on this machine: no
# HSTS and no upgrade-insecure-requests. The browser tests thus run the application under the same CSP.
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    (
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        "font-src 'self' data:; connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
)
mimetypes.add_type("font/woff2", ".woff2")
mimetypes.add_type("font/woff", ".woff")
mimetypes.add_type("text/javascript", ".mjs")
ASSET_CACHE = "public, max-age=31536000, immutable"
INDEX_CACHE = "no-cache"


class BodyTooLarge(Exception):
    """The request's body grew past its location's cap while it streamed in."""


@dataclass(frozen=True)
class WebConfig:
    dist: Path
    upstreams: Mapping[str, str]  # service name -> base URL

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WebConfig:
        env = os.environ if environ is None else environ
        dist = env.get("ZC_WEB_DIST")
        if not dist:
            raise RuntimeError("ZC_WEB_DIST is not set: the directory of the built web application (web/dist)")
        upstreams = {name: env[variable].rstrip("/") for name, variable in UPSTREAM_ENV.items() if env.get(variable)}
        return cls(Path(dist).resolve(), upstreams)


def _problem(status: int, title: str, detail: str | None = None) -> bytes:
    body: dict[str, object] = {"type": "about:blank", "title": title, "status": status}
    if detail is not None:
        body["detail"] = detail
    return json.dumps(body, ensure_ascii=False).encode()


class WebServer:
    """The ASGI application (see the module's docstring)."""

    def __init__(self, config: WebConfig) -> None:
        self.config = config
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:  # made in the server's event loop, on the first proxied request
            self._client = httpx.AsyncClient(
                timeout=TIMEOUT,
                follow_redirects=False,
                limits=httpx.Limits(max_connections=200, max_keepalive_connections=32),
                trust_env=False,
            )
        return self._client

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":  # no websockets through here (nor through the gateway)
            return
        path: str = scope["path"]
        if path == "/healthz":
            await self._respond(send, 200, b"ok\n", "text/plain; charset=utf-8")
            return
        service = route(path)
        if service is not None:
            await self._proxy(scope, receive, send, service)
            return
        if path.startswith(API_PREFIXES) or path in INTERNAL_PAGES:
            await self._respond(send, 404, _problem(404, "Not Found"), "application/problem+json")
            return
        await self._static(scope, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._client is not None:
                    await self._client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- the API -------------------------------------------------------------------------------

    async def _proxy(self, scope: Scope, receive: Receive, send: Send, service: str) -> None:
        base = self.config.upstreams.get(service)
        name = SERVICE_NAMES_ZH.get(service, service)
        if base is None:
            await self._respond(send, 502, _bad_gateway(name), "application/problem+json")
            return
        headers = _request_headers(scope)
        limit = body_limit(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._respond(send, 413, _too_large(limit), "application/problem+json")
            return
        query = scope.get("query_string", b"")
        url = base + scope.get("raw_path", scope["path"].encode()).decode("latin-1")
        if query:
            url += "?" + query.decode("latin-1")
        method: str = scope["method"]
        has_body = method not in ("GET", "HEAD", "OPTIONS", "DELETE") or declared or _chunked(scope)
        request = self.client.build_request(
            method,
            url,
            headers=headers,
            content=_body(receive, limit) if has_body else None,
        )
        try:
            response = await self.client.send(request, stream=True)
        except BodyTooLarge:
            await self._respond(send, 413, _too_large(limit), "application/problem+json")
            return
        except httpx.TimeoutException:
            detail = f"{name}在规定时间内没有应答，请稍后重试。"
            await self._respond(send, 504, _problem(504, "Gateway Timeout", detail), "application/problem+json")
            return
        except httpx.HTTPError:
            await self._respond(send, 502, _bad_gateway(name), "application/problem+json")
            return
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status_code,
                    "headers": _response_headers(response.headers.raw),
                }
            )
            try:
                async for chunk in response.aiter_raw():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            except httpx.HTTPError:
                pass  # the service went away mid-answer: end the body; the client sees it cut short
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await response.aclose()

    # -- the application -----------------------------------------------------------------------

    async def _static(self, scope: Scope, send: Send) -> None:
        if scope["method"] not in ("GET", "HEAD"):
            await self._respond(send, 405, _problem(405, "Method Not Allowed"), "application/problem+json")
            return
        head = scope["method"] == "HEAD"
        dist = self.config.dist
        path: str = scope["path"]
        target = self._file(path)
        if target is None:
            if path.startswith("/assets/"):  # a missing script or style is a 404, never an HTML page
                await self._respond(send, 404, b"Not Found\n", "text/plain; charset=utf-8")
                return
            target = dist / "index.html"
        if not target.is_file():
            detail = "网页应用尚未构建（web/dist/index.html 不存在），请运行 make run。"
            await self._respond(send, 503, _problem(503, "Service Unavailable", detail), "application/problem+json")
            return
        cache = ASSET_CACHE if path.startswith("/assets/") else INDEX_CACHE
        if target.name == "index.html":
            cache = INDEX_CACHE
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
            content_type += "; charset=utf-8"
        await self._respond(send, 200, target.read_bytes(), content_type, cache=cache, head=head)

    def _file(self, path: str) -> Path | None:
        """The file of web/dist that `path` names: inside dist, no hidden file, or None."""
        relative = path.lstrip("/")
        if not relative or any(part.startswith(".") for part in relative.split("/")):
            return None
        dist = self.config.dist
        candidate = (dist / relative).resolve()
        if not candidate.is_relative_to(dist) or not candidate.is_file():
            return None
        return candidate

    async def _respond(
        self,
        send: Send,
        status: int,
        body: bytes,
        content_type: str,
        *,
        cache: str | None = None,
        head: bool = False,
    ) -> None:
        headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
        if cache is not None:
            headers.append((b"cache-control", cache.encode()))
        headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else body})


def _bad_gateway(name: str) -> bytes:
    return _problem(502, "Bad Gateway", f"{name}暂时无法访问，请稍后重试。")


def _too_large(limit: int) -> bytes:
    return _problem(413, "Content Too Large", f"请求内容过大：此处最多接受 {limit // (1024 * 1024)} MB。")


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value)
    return None


def _content_length(scope: Scope) -> int | None:
    raw = _header(scope, b"content-length")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def _chunked(scope: Scope) -> bool:
    raw = _header(scope, b"transfer-encoding")
    return raw is not None and b"chunked" in raw.lower()


def _request_headers(scope: Scope) -> list[tuple[bytes, bytes]]:
    """The client's headers less those of the hop, and the gateway's own (deploy/gateway/nginx.conf)."""
    headers: list[tuple[bytes, bytes]] = []
    request_id: bytes | None = None
    host = b""
    for key, value in scope.get("headers", []):
        lower = bytes(key).lower()
        if lower == b"x-request-id" and value:
            request_id = bytes(value)[:64]
        if lower == b"host":
            host = bytes(value)
        if lower.decode("latin-1") in HOP_BY_HOP | GATEWAY_SET:
            continue
        headers.append((lower, bytes(value)))
    client = scope.get("client")
    address = (client[0] if client else "").encode()
    declared = _content_length(scope)
    if declared is not None:
        headers.append((b"content-length", str(declared).encode()))
    headers += [
        (b"x-request-id", request_id or uuid.uuid4().hex.encode()),
        (b"x-zc-client-addr", address),
        (b"x-real-ip", address),
        (b"x-forwarded-for", address),
        (b"x-forwarded-proto", str(scope.get("scheme", "http")).encode()),
        (b"x-forwarded-host", host),
        (b"x-zc-edge", b"public"),
    ]
    return headers


def _response_headers(raw: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    headers = [(k.lower(), v) for k, v in raw if k.lower().decode("latin-1") not in HOP_BY_HOP]
    present = {k for k, _ in headers}
    headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS if k.encode() not in present]
    return headers


async def _body(receive: Receive, limit: int) -> AsyncIterator[bytes]:
    """The request's body as it streams in; BodyTooLarge once it passes `limit`."""
    received = 0
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            return
        chunk: bytes = message.get("body", b"")
        received += len(chunk)
        if received > limit:
            raise BodyTooLarge
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return


def main() -> None:
    import uvicorn

    config = WebConfig.from_env()
    host = os.environ.get("ZC_HTTP_HOST", "127.0.0.1")
    port = int(os.environ.get("ZC_HTTP_PORT", "24100"))
    print(f"web server: {config.dist} and the API on http://{host}:{port}", flush=True)
    uvicorn.run(
        WebServer(config),
        host=host,
        port=port,
        access_log=False,  # NAT-2: no line may say who posted a secret ballot, or when
        lifespan="on",
        proxy_headers=False,  # the connection's own address is the client's, as at the gateway
        server_header=False,
        timeout_keep_alive=65,
    )


if __name__ == "__main__":
    main()
