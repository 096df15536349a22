"""The production gateway serves the web application beside the APIs (issue 13), in compose and in
Kubernetes alike: the Dockerfile builds web/ (`npm ci && npm run build` on node:20) into the gateway
image, every page path answers index.html (revalidated on each load), the hashed bundles are cached for
a year, `/verify` (the certificates' QR codes) opens the app's public verification page, the API
locations are as before, and no API or operational path ever falls back to the app.

No nginx and no Docker engine here: the configurations are parsed and a request is followed through
them as nginx does (exact location, else the longest prefix; try_files; internal redirects; the map
that sets Cache-Control). deploy/README.md says how the same was checked with a real nginx.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from review_service.adapters.certificate_pdf import verification_link

from tests.deploy.stack_files import (
    COMPOSE_GATEWAY_CONF,
    GATEWAY,
    INTERNAL_PATHS,
    K8S_GATEWAY_CONF,
    README,
    ROOT,
    compose_services,
    k8s_objects,
    kustomization,
)
from tests.deploy.test_gateway_routing import GATEWAY_CONFS, Directive, children, parse_nginx, public_samples

WEB_ROOT = "/usr/share/zhicheng/web"
# What a build leaves in web/dist (names as Vite gives them), for following requests through the config.
DIST = frozenset(
    {
        "/index.html",
        "/favicon.svg",
        "/assets/index-DxfSJJb1.js",
        "/assets/index-CC0C6C7O.css",
        "/assets/LoginView-I5oANxYI.js",
    }
)
# Pages of the app (HTML5 history routing): none is a file, each must answer index.html.
APP_PAGES = [
    "/",
    "/login",
    "/change-password",
    "/403",
    "/orgs",
    "/orgs/tree?year=2026",
    "/applications/5f0c/timeline",
    "/committees/x1/sessions",
    "/documents",
    "/verification",
]
OPERATIONAL_PATHS = ["/health", "/livez", "/metrics", "/docs", "/openapi.json"]
NOT_FOUND_BODY = '{"type":"about:blank","title":"Not Found","status":404}'


@dataclass(frozen=True)
class Answer:
    status: int
    file: str | None = None  # the web application's file served
    upstream: str | None = None  # the service's upstream proxied to
    content_type: str | None = None  # default_type of a `return`
    body: str | None = None
    cache_control: str = ""


@cache
def _http(conf: Path) -> Directive:
    (http,) = children(parse_nginx(conf), "http")
    return http


def _tls_server(conf: Path) -> Directive:
    (server,) = [
        s
        for s in children(_http(conf).block, "server")
        if ("8443", "ssl") in [d.args for d in children(s.block, "listen")]
    ]
    return server


def _location(server: Directive, path: str) -> Directive:
    """nginx's choice for a path: an exact location, else the longest prefix (no regex at this level)."""
    locations = children(server.block, "location")
    for loc in locations:
        if loc.args[0] == "=" and loc.args[1] == path:
            return loc
    prefixes = [loc for loc in locations if loc.args[0] != "=" and path.startswith(loc.args[-1])]
    assert prefixes, f"no location for {path}"
    return max(prefixes, key=lambda loc: len(loc.args[-1]))


def _cache_control(conf: Path, uri: str) -> str:
    """The Cache-Control the http-level add_header sends for a successful answer of uri."""
    http = _http(conf)
    (header,) = [d for d in children(http.block, "add_header") if d.args[0] == "Cache-Control"]
    variable = header.args[1]
    (mapping,) = [m for m in children(http.block, "map") if m.args == ("$uri", variable)]
    entries = [(d.name, d.args[0]) for d in mapping.block or ()]
    exact = {key: value for key, value in entries if not key.startswith("~") and key != "default"}
    if uri in exact:
        return exact[uri]
    for key, value in entries:
        if key.startswith("~") and re.search(key[1:], uri):
            return value
    return dict(entries).get("default", "")


def serve(conf: Path, uri: str, files: frozenset[str] = DIST) -> Answer:
    """Follow a request for uri through the TLS server of conf, the web root holding files."""
    server = _tls_server(conf)
    path = urlsplit(uri).path
    for _ in range(3):  # internal redirects of try_files
        loc = _location(server, path)
        proxy = children(loc.block, "proxy_pass")
        if proxy:
            return Answer(200, upstream=proxy[0].args[0].removeprefix("http://"))
        returned = children(loc.block, "return")
        if returned:
            types = children(loc.block, "default_type")
            body = returned[0].args[1] if len(returned[0].args) > 1 else None
            return Answer(int(returned[0].args[0]), content_type=types[0].args[0] if types else None, body=body)
        (try_files,) = children(loc.block, "try_files")
        *candidates, fallback = try_files.args
        for candidate in candidates:
            name = candidate.replace("$uri", path)
            if name in files:
                return Answer(200, file=name, cache_control=_cache_control(conf, name))
        if fallback.startswith("="):
            return Answer(int(fallback[1:]))
        path = fallback
    raise AssertionError(f"{uri}: internal redirect loop")


@pytest.mark.parametrize("conf", GATEWAY_CONFS)
def test_every_page_of_the_app_answers_index_html_revalidated(conf: Path) -> None:
    for page in APP_PAGES:
        assert serve(conf, page) == Answer(200, file="/index.html", cache_control="no-cache"), page
    assert serve(conf, "/favicon.svg").file == "/favicon.svg"
    (root,) = children(_tls_server(conf).block, "root")
    assert root.args == (WEB_ROOT,)


@pytest.mark.parametrize("conf", GATEWAY_CONFS)
def test_the_hashed_bundles_are_cached_for_a_year_and_immutable(conf: Path) -> None:
    for bundle in sorted(f for f in DIST if f.startswith("/assets/")):
        answer = serve(conf, bundle)
        assert answer.file == bundle and answer.status == 200
        assert answer.cache_control == "public, max-age=31536000, immutable", bundle
    # a page of an older release asking for a bundle that is gone gets a 404, never index.html as script
    assert serve(conf, "/assets/index-OLD12345.js") == Answer(404)


@pytest.mark.parametrize("conf", GATEWAY_CONFS)
def test_nat_10_the_certificates_qr_code_opens_the_apps_verification_page(conf: Path) -> None:
    """NAT-10: the QR code review-service prints on a certificate opens /verify?number=…, which is now
    the web application's public page (it asks GET /api/v1/documents/verify, routed to review-service)."""
    link = urlsplit(verification_link("https://zc.example.org", "平人社职〔2026〕12号"))
    assert link.path == "/verify"
    assert serve(conf, f"{link.path}?{link.query}") == Answer(200, file="/index.html", cache_control="no-cache")
    assert serve(conf, "/verify") == Answer(200, file="/index.html", cache_control="no-cache")
    assert serve(conf, "/api/v1/documents/verify?number=1").upstream == "review_service"


@pytest.mark.parametrize("conf", GATEWAY_CONFS)
def test_api_and_operational_paths_never_fall_back_to_the_app(conf: Path) -> None:
    """An unknown API path is a 404 problem, not the app's HTML with 200; each service's own /health,
    /docs, … and event feed stay internal (404 at the edge, nothing proxied)."""
    internal = [p for p in INTERNAL_PATHS if p != "/"] + OPERATIONAL_PATHS + ["/api/v1/no-such-thing", "/api/"]
    for uri in internal:
        answer = serve(conf, uri)
        assert answer.status == 404 and answer.upstream is None and answer.file is None, uri
        assert answer.body == NOT_FOUND_BODY and answer.content_type == "application/problem+json", uri


@pytest.mark.parametrize("conf", GATEWAY_CONFS)
def test_the_api_locations_still_proxy_and_keep_the_services_cache_headers(conf: Path) -> None:
    for uri, owner in public_samples():
        answer = serve(conf, uri)
        assert answer.upstream == owner.replace("-", "_") and answer.file is None, uri
        assert _cache_control(conf, urlsplit(uri).path) == "", f"{uri}: the gateway adds no Cache-Control"


@pytest.mark.parametrize("conf", GATEWAY_CONFS)
def test_the_cache_header_is_sent_on_successful_answers_only(conf: Path) -> None:
    """Not "always": a 404 for a missing bundle must not be cached for a year."""
    (header,) = [d for d in children(_http(conf).block, "add_header") if d.args[0] == "Cache-Control"]
    assert header.args == ("Cache-Control", "$zc_cache_control")


@pytest.mark.parametrize("conf", GATEWAY_CONFS)
def test_responses_are_compressed_only_where_no_secret_is(conf: Path) -> None:
    """gzip on the app's files only: never on API answers that carry tokens or personal data (BREACH)."""
    server = _tls_server(conf)
    assert not children(_http(conf).block, "gzip") and not children(server.block, "gzip")
    compressed = [loc for loc in children(server.block, "location") if children(loc.block, "gzip")]
    assert {loc.args[-1] for loc in compressed} == {"/assets/", "/index.html"}
    for loc in compressed:
        assert not children(loc.block, "proxy_pass")


class _InlineScripts(HTMLParser):
    """What a CSP without 'unsafe-inline' for scripts would block: inline <script>s and on* handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and "src" not in dict(attrs):
            self.found.append("<script> without src")
        self.found += [f"{name} on <{tag}>" for name, _ in attrs if name.startswith("on")]


@pytest.mark.parametrize("conf", GATEWAY_CONFS)
def test_the_csp_lets_the_app_run_and_nothing_else(conf: Path) -> None:
    """Scripts from this origin only (the app's index.html has no inline script), inline styles (Element
    Plus sets style attributes), API calls to this origin, images from data:/blob: (QR codes, previews)."""
    (csp,) = [d for d in children(_http(conf).block, "add_header") if d.args[0] == "Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.args[1].split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"]
    assert set(directives["style-src"]) == {"'self'", "'unsafe-inline'"}
    assert directives["connect-src"] == ["'self'"]
    assert set(directives["img-src"]) == {"'self'", "data:", "blob:"}
    assert directives["default-src"] == ["'self'"]
    inline = _InlineScripts()
    inline.feed((ROOT / "web" / "index.html").read_text(encoding="utf-8"))
    assert inline.found == []


def test_both_gateways_serve_the_same_tls_server() -> None:
    """The compose and Kubernetes configurations differ in the certificate's place, not in what they
    serve or route."""

    def comparable(conf: Path) -> tuple[Directive, ...]:
        server = _tls_server(conf)
        return tuple(d for d in server.block or () if d.name not in {"ssl_certificate", "ssl_certificate_key"})

    assert comparable(COMPOSE_GATEWAY_CONF) == comparable(K8S_GATEWAY_CONF)
    maps = [children(_http(conf).block, "map") for conf in (COMPOSE_GATEWAY_CONF, K8S_GATEWAY_CONF)]
    assert maps[0] == maps[1]
    headers = [children(_http(conf).block, "add_header") for conf in (COMPOSE_GATEWAY_CONF, K8S_GATEWAY_CONF)]
    assert headers[0] == headers[1]


def _stages() -> dict[str, list[str]]:
    """The Dockerfile's stages by name: their FROM line's image and the lines that follow."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    args = dict(re.findall(r"^ARG (\w+)=(\S+)$", text, re.M))
    stages: dict[str, list[str]] = {}
    current: list[str] = []
    for line in text.splitlines():
        found = re.match(r"^FROM (?:--platform=\S+ )?(\S+) AS (\S+)$", line)
        if found:
            image = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), found.group(1))
            current = stages.setdefault(found.group(2), [f"FROM {image}"])
        elif line.strip() and not line.startswith("#"):
            current.append(" ".join(line.split()))
    return stages


def test_dockerfile_builds_the_web_app_into_the_gateway_image() -> None:
    stages = _stages()
    web, gateway = stages["web"], stages[GATEWAY]
    assert web[0] == "FROM node:20", "the machine-independent node:20 image"
    assert "WORKDIR /web" in web
    assert "COPY web/package.json web/package-lock.json ./" in web
    install = next(i for i, line in enumerate(web) if "npm ci" in line)
    build = next(i for i, line in enumerate(web) if "npm run build" in line)
    assert install < web.index("COPY web/ ./") < build, "dependencies from the lock file, then the build"
    assert gateway[0] == "FROM nginxinc/nginx-unprivileged:1.29-alpine"
    assert f"COPY --from=web /web/dist {WEB_ROOT}" in gateway
    assert not any(line.startswith("USER") for line in gateway), "the base image's unprivileged user (101)"
    assert list(stages)[-1] == "runtime", "docker build without --target still builds the services' image"


def test_the_build_context_carries_the_web_sources_not_their_build() -> None:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    ignored = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    assert {"web/node_modules", "web/dist"} <= ignored
    assert not {"web", "web/", "web/src", "web/openapi", "web/package-lock.json"} & ignored


def test_compose_builds_and_runs_the_gateway_image() -> None:
    gateway = compose_services()[GATEWAY]
    assert gateway["build"] == {"context": ".", "dockerfile": "Dockerfile", "target": "gateway"}
    assert gateway["image"].startswith("zhicheng-gateway:")
    assert gateway["read_only"] is True
    assert "./deploy/gateway/nginx.conf:/etc/nginx/nginx.conf:ro" in gateway["volumes"]
    assert not any(str(v).endswith(WEB_ROOT) or f"{WEB_ROOT}:" in str(v) for v in gateway["volumes"]), (
        "the app comes with the image, not from the host"
    )


def test_kubernetes_runs_the_gateway_image_tagged_with_the_services() -> None:
    (container,) = k8s_objects("Deployment")[GATEWAY]["spec"]["template"]["spec"]["containers"]
    assert container["image"] == "zhicheng-gateway"
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    images = {i["name"]: i for i in kustomization()["images"]}
    assert images["zhicheng-gateway"]["newTag"] == images["zhicheng"]["newTag"], "one release, one tag"
    assert images["zhicheng-gateway"]["newName"].endswith("/zhicheng-gateway")


def test_the_operator_guide_says_how_the_web_app_is_built_and_served() -> None:
    text = README.read_text(encoding="utf-8")
    for needle in ("npm ci", "npm run build", "--target gateway", "zhicheng-gateway", "/verify", "web/dist"):
        assert needle in text, f"deploy/README.md should cover {needle!r}"
