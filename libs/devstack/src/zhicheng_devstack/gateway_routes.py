"""The public API's route table: which service answers which path, and how large a body may be.

One home for what deploy/gateway/nginx.conf (compose) and deploy/k8s/gateway/nginx.conf route: the
stack's web server (zhicheng_devstack.web_server) routes by it, and tests/deploy proves both nginx
configurations route every path of it to the same service. Everything not listed stays internal: the
services' /health, /livez, /metrics, /docs, /openapi.json, /api/v1/events and /api/v1/internal/...
"""

from __future__ import annotations

from zhicheng_kernel.edge import BODY_LIMITS, DEFAULT_BODY_LIMIT

# public path prefix -> owning service; "=" marks an exact path. nginx picks an exact path first, then
# the longest matching prefix (all its locations are `=` or `^~`), so does `route` below.
PUBLIC_ROUTES: dict[str, str] = {
    # org-service
    "=/.well-known/jwks.json": "org-service",
    "/api/v1/auth/": "org-service",
    "/api/v1/orgs": "org-service",
    "/api/v1/accounts": "org-service",
    "/api/v1/external-clients": "org-service",
    "/api/v1/inbox": "org-service",
    "/api/v1/roles": "org-service",
    "/api/v1/audit": "org-service",
    # the business audit each service keeps of its commands (finding 16 of issue 12)
    "/api/v1/audit/application": "application-service",
    "/api/v1/audit/review": "review-service",
    "/api/v1/audit/plagiarism": "plagiarism-service",
    # application-service
    "/api/v1/applications": "application-service",
    "/api/v1/pushes": "application-service",
    "/api/v1/push-windows": "application-service",
    "/api/v1/registries": "application-service",
    "/api/v1/schedules": "application-service",
    "/api/v1/quota-plans": "application-service",
    "/api/v1/calendar": "application-service",
    "/api/v1/similarity-settings": "application-service",
    "/api/v1/filings": "application-service",
    "/api/v1/integrity-file": "application-service",  # NAT-8 / POL-ER-3
    "=/api/v1/provincial/callbacks": "application-service",  # POL-FI-1: signed, no user token
    "/api/v1/external/filings": "application-service",
    # review-service
    "/api/v1/committees": "review-service",
    "/api/v1/panels": "review-service",  # 评议组 (NAT-9)
    "/api/v1/defenses": "review-service",  # online video defenses (POL-VD-1)
    "/api/v1/expert-pool": "review-service",  # 专家库 (NAT-6)
    "/api/v1/sessions": "review-service",
    "/api/v1/documents": "review-service",
    "/api/v1/complaints": "review-service",
    "/api/v1/public/publicity": "review-service",  # NAT-11, POL-PB-1: no account needed
    "/api/v1/blind-reviews": "review-service",  # POL-ER-1, POL-ER-3
    "/api/v1/review-requests": "review-service",  # 复查 (NAT-11)
    "/api/v1/external/": "review-service",
    "/api/v1/review-years": "review-service",
    # plagiarism-service
    "/api/v1/corpus": "plagiarism-service",
    "/api/v1/checks": "plagiarism-service",
    "/api/v1/reports": "plagiarism-service",
}

# Paths that belong to the API side of the origin even when unrouted: the web server answers them 404
# (problem+json) as the gateway does, never with the single-page application's index.html.
API_PREFIXES = ("/api/", "/.well-known/")
INTERNAL_PAGES = frozenset({"/health", "/livez", "/metrics", "/docs", "/redoc", "/openapi.json"})


def route(path: str) -> str | None:
    """The service that answers `path` (no query string), or None when the gateway routes it nowhere."""
    exact = PUBLIC_ROUTES.get("=" + path)
    if exact is not None:
        return exact
    best: tuple[int, str] | None = None
    for prefix, service in PUBLIC_ROUTES.items():
        if prefix.startswith("=") or not path.startswith(prefix):
            continue
        if best is None or len(prefix) > best[0]:
            best = (len(prefix), service)
    return best[1] if best else None


def location(path: str) -> str | None:
    """The route table's entry (as written in PUBLIC_ROUTES) that `path` goes through, or None."""
    if "=" + path in PUBLIC_ROUTES:
        return "=" + path
    prefixes = [p for p in PUBLIC_ROUTES if not p.startswith("=") and path.startswith(p)]
    return max(prefixes, key=len) if prefixes else None


def body_limit(path: str) -> int:
    """The body cap of `path`'s location, as the gateway's client_max_body_size: the largest cap
    zhicheng_kernel.edge.BODY_LIMITS gives a route under that location (1 MB when it lists none). Each
    service enforces its own, per route, behind it."""
    entry = location(path)
    if entry is None:
        return DEFAULT_BODY_LIMIT
    exact = entry.startswith("=")
    prefix = entry.removeprefix("=")
    caps = [
        cap
        for (_, route_path), cap in BODY_LIMITS.items()
        if (route_path == prefix if exact else route_path.startswith(prefix)) and location(route_path) == entry
    ]
    return max([DEFAULT_BODY_LIMIT, *caps])
