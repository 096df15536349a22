"""The nginx gateway (compose and Kubernetes) routes each public path to the service that owns it
and nothing else: health checks, event feeds and API docs stay internal."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from tests.deploy.stack_files import (
    API_SERVICES,
    COMPOSE_GATEWAY_CONF,
    HTTP_PORT,
    INTERNAL_PATHS,
    K8S_GATEWAY_CONF,
    PUBLIC_ROUTES,
    compose_services,
    k8s_objects,
)


@dataclass(frozen=True)
class Directive:
    name: str
    args: tuple[str, ...]
    block: tuple[Directive, ...] | None


def _nginx_tokens(text: str) -> Iterator[str]:
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in "{};":
            yield c
            i += 1
        elif c in "\"'":
            j = i + 1
            while text[j] != c:
                j += 2 if text[j] == "\\" else 1
            yield text[i + 1 : j]
            i = j + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in "{};":
                j += 1
            yield text[i:j]
            i = j


def _nginx_block(tokens: Iterator[str]) -> tuple[Directive, ...]:
    directives: list[Directive] = []
    words: list[str] = []
    for token in tokens:
        if token == ";":
            directives.append(Directive(words[0], tuple(words[1:]), None))
            words = []
        elif token == "{":
            directives.append(Directive(words[0], tuple(words[1:]), _nginx_block(tokens)))
            words = []
        elif token == "}":
            assert not words, f"unterminated directive {words}"
            return tuple(directives)
        else:
            words.append(token)
    assert not words, f"unterminated directive {words}"
    return tuple(directives)


def parse_nginx(path: Path) -> tuple[Directive, ...]:
    return _nginx_block(_nginx_tokens(path.read_text(encoding="utf-8")))


def children(block: tuple[Directive, ...] | None, name: str) -> list[Directive]:
    return [d for d in block or () if d.name == name]


@dataclass(frozen=True)
class Gateway:
    upstream_hosts: dict[str, list[str]]  # upstream name -> host:port of its servers
    locations: list[tuple[str, str, str | None]]  # (modifier, path, upstream name or None)

    def route(self, uri: str) -> str | None:
        """The upstream nginx picks for uri: exact match first, then the longest prefix."""
        path = uri.split("?", 1)[0]
        for modifier, location, upstream in self.locations:
            if modifier == "=" and location == path:
                return upstream
        prefixes = [(loc, up) for mod, loc, up in self.locations if mod != "=" and path.startswith(loc)]
        if not prefixes:
            return None
        return max(prefixes, key=lambda item: len(item[0]))[1]

    def route_to_host(self, uri: str) -> str | None:
        upstream = self.route(uri)
        if upstream is None:
            return None
        (server,) = self.upstream_hosts[upstream]
        return server.split(":")[0]


@cache
def gateway(path: Path) -> Gateway:
    (http,) = children(parse_nginx(path), "http")
    upstreams = {
        d.args[0]: [server.args[0] for server in children(d.block, "server")] for d in children(http.block, "upstream")
    }
    (api_server,) = [
        s for s in children(http.block, "server") if ("8443", "ssl") in [d.args for d in children(s.block, "listen")]
    ]
    locations: list[tuple[str, str, str | None]] = []
    for loc in children(api_server.block, "location"):
        modifier, location = ("", loc.args[0]) if len(loc.args) == 1 else loc.args
        proxy = children(loc.block, "proxy_pass")
        upstream = proxy[0].args[0].removeprefix("http://").rstrip("/") if proxy else None
        locations.append((modifier, location, upstream))
    return Gateway(upstreams, locations)


def public_samples() -> list[tuple[str, str]]:
    samples = []
    for prefix, owner in PUBLIC_ROUTES.items():
        if prefix.startswith("="):
            samples.append((prefix[1:], owner))
            continue
        base = prefix.rstrip("/")
        samples += [(f"{base}/x1", owner), (f"{base}/x1/sub?page=2", owner)]
        if not prefix.endswith("/"):
            samples += [(base, owner), (f"{base}?year=2026", owner)]
    return samples


GATEWAY_CONFS = [
    pytest.param(COMPOSE_GATEWAY_CONF, id="compose"),
    pytest.param(K8S_GATEWAY_CONF, id="kubernetes"),
]


@pytest.mark.parametrize("conf", GATEWAY_CONFS)
def test_gateway_routes_every_public_prefix_to_its_service(conf: Path) -> None:
    gw = gateway(conf)
    for uri, owner in public_samples():
        assert gw.route_to_host(uri) == owner, f"{uri} should reach {owner}"


@pytest.mark.parametrize("conf", GATEWAY_CONFS)
def test_gateway_keeps_health_and_event_feeds_internal(conf: Path) -> None:
    gw = gateway(conf)
    for uri in INTERNAL_PATHS:
        assert gw.route(uri) is None, f"{uri} must not be routed"
    assert gw.route("/healthz") is None, "the gateway answers its own health check"


@pytest.mark.parametrize("conf", GATEWAY_CONFS)
def test_gateway_uses_only_exact_and_prefix_locations(conf: Path) -> None:
    """The routing simulation above is exact only for these location kinds."""
    for modifier, location, _ in gateway(conf).locations:
        assert modifier in {"", "=", "^~"} and location.startswith("/")


def test_gateway_compose_upstreams_are_compose_services_on_the_http_port() -> None:
    for upstream, servers in gateway(COMPOSE_GATEWAY_CONF).upstream_hosts.items():
        for server in servers:
            host, port = server.split(":")
            assert host in compose_services(), f"{upstream} -> unknown {host}"
            if host in API_SERVICES:
                assert int(port) == HTTP_PORT


def test_gateway_kubernetes_upstreams_are_services_of_the_namespace() -> None:
    services = k8s_objects("Service")
    for upstream, servers in gateway(K8S_GATEWAY_CONF).upstream_hosts.items():
        for server in servers:
            host, port = server.split(":")
            assert host in services, f"{upstream} -> unknown Service {host}"
            assert int(port) in [p["port"] for p in services[host]["spec"]["ports"]]


INTERNAL_PREFIXES = ("/api/v1/internal/", "/api/v1/events", "/health", "/livez")


@pytest.mark.parametrize("conf", GATEWAY_CONFS)
def test_gateway_routes_every_public_path_the_services_declare(conf: Path, tmp_path: Path) -> None:
    """Each path of each service's OpenAPI document, but its internal ones, reaches that service
    through the gateway: a page or a provincial system calling it never meets a 404 at the edge."""
    from zhicheng_tooling.openapi_docs import SERVICES

    gw = gateway(conf)
    unrouted = []
    for service, build in SERVICES.items():
        for path in build(tmp_path).openapi()["paths"]:
            if path.startswith(INTERNAL_PREFIXES):
                continue
            sample = re.sub(r"\{[^}]+\}", "x1", path)
            if gw.route_to_host(sample) != service:
                unrouted.append(f"{path} → {gw.route_to_host(sample)} (owner {service})")
    assert unrouted == []
