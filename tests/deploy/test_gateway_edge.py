"""The gateway's edge (issue 12): TLS and security headers on every response (finding 15), the body caps
of the services (13), the client's address from the connection alone (14), the routes operators and
pages need (16), no log of who cast a secret ballot (5), and the deployment guide's signing key (24).
No nginx here: the configurations are parsed as the routing tests do (nginx -t ran on both by hand)."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
from org_service.security.tokens import TokenIssuer
from zhicheng_kernel.edge import BODY_LIMITS, DEFAULT_BODY_LIMIT

from tests.deploy.stack_files import README, compose_services, k8s_objects
from tests.deploy.test_gateway_routing import GATEWAY_CONFS, Directive, children, gateway, parse_nginx

SECURITY_HEADERS = {
    "Strict-Transport-Security",
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Permissions-Policy",
}


def _http(conf: Path) -> Directive:
    (http,) = children(parse_nginx(conf), "http")
    return http


def _servers(conf: Path) -> dict[str, Directive]:
    """The API's servers by their first listen port."""
    return {children(s.block, "listen")[0].args[0]: s for s in children(_http(conf).block, "server")}


def _size(value: str) -> int:
    units = {"k": 1024, "m": 1024 * 1024}
    return int(value[:-1]) * units[value[-1].lower()] if value[-1].lower() in units else int(value)


@pytest.mark.parametrize("conf", GATEWAY_CONFS)
def test_finding_15_the_api_is_served_over_tls_and_http_only_redirects(conf: Path) -> None:
    """Finding 15: "No TLS and no security headers at the gateway"."""
    servers = _servers(conf)
    tls = servers["8443"]
    assert ("8443", "ssl") in [d.args for d in children(tls.block, "listen")]
    certificate, key = children(tls.block, "ssl_certificate"), children(tls.block, "ssl_certificate_key")
    assert certificate and key and certificate[0].args[0].startswith(("/run/secrets/", "/etc/nginx/tls/"))
    protocols = children(_http(conf).block, "ssl_protocols")[0].args
    assert set(protocols) <= {"TLSv1.2", "TLSv1.3"}
    plain = servers["8080"]
    locations = {loc.args[-1]: loc for loc in children(plain.block, "location")}
    assert set(locations) == {"/healthz", "/"}, "plain HTTP answers only the probes and redirects"
    (redirect,) = children(locations["/"].block, "return")
    assert redirect.args[0] in {"301", "308"} and redirect.args[1].startswith("https://$host")


@pytest.mark.parametrize("conf", GATEWAY_CONFS)
def test_finding_15_every_response_carries_the_security_headers(conf: Path) -> None:
    """Finding 15: the headers are set once at http level with "always" and no API location overrides them
    (an add_header in a location would drop the inherited ones)."""
    http = _http(conf)
    headers = {d.args[0]: d for d in children(http.block, "add_header")}
    assert SECURITY_HEADERS <= set(headers)
    for name in SECURITY_HEADERS:
        assert headers[name].args[-1] == "always", f"{name} also on errors"
    assert "max-age=31536000" in headers["Strict-Transport-Security"].args[1]
    csp = headers["Content-Security-Policy"].args[1]
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"].args[1] == "nosniff"
    assert headers["X-Frame-Options"].args[1] == "DENY"

    def overriding(block: tuple[Directive, ...] | None) -> list[str]:
        found = []
        for location in children(block, "location"):
            if children(location.block, "add_header"):
                found.append(location.args[-1])
            found += overriding(location.block)
        return found

    for port in ("8080", "8443"):
        server = _servers(conf)[port]
        assert not children(server.block, "add_header") and overriding(server.block) == [], port


@pytest.mark.parametrize("conf", GATEWAY_CONFS)
def test_finding_13_the_gateway_caps_bodies_as_the_services_do(conf: Path) -> None:
    """Finding 13: "64 MB on every route" — 1 MB by default; a location admits more only for the routes
    whose service admits more (zhicheng_kernel.edge.BODY_LIMITS), and never less than they do."""
    http = _http(conf)
    (default,) = children(http.block, "client_max_body_size")
    assert _size(default.args[0]) == DEFAULT_BODY_LIMIT
    tls = _servers(conf)["8443"]
    caps = {
        loc.args[-1]: _size(children(loc.block, "client_max_body_size")[0].args[0])
        for loc in children(tls.block, "location")
        if children(loc.block, "client_max_body_size")
    }
    gw = gateway(conf)
    for (_, path), limit in BODY_LIMITS.items():
        sample = re.sub(r"\{[^}]+\}", "x1", path)
        prefixes = [p for p in caps if sample.startswith(p)]
        assert prefixes, f"{path}: its location admits only the default"
        assert caps[max(prefixes, key=len)] >= limit, path
        assert gw.route(sample) is not None
    assert max(caps.values()) <= max(BODY_LIMITS.values())


@pytest.mark.parametrize("conf", GATEWAY_CONFS)
def test_finding_14_services_get_the_client_address_from_the_connection_only(conf: Path) -> None:
    """Finding 14: "The audit log's client address can be spoofed through X-Forwarded-For"."""
    tls = _servers(conf)["8443"]
    headers = {d.args[0].lower(): d.args[1] for d in children(tls.block, "proxy_set_header")}
    assert headers["x-zc-client-addr"] == "$remote_addr"
    assert headers["x-forwarded-for"] == "$remote_addr", "a client's own X-Forwarded-For is never passed on"
    assert headers["x-zc-edge"] == "public"
    for zone in children(_http(conf).block, "limit_req_zone"):
        assert zone.args[0] == "$binary_remote_addr"


def test_finding_14_kubernetes_keeps_each_clients_address() -> None:
    """Finding 14: "in Kubernetes every client shares one rate limit" (kube-proxy's SNAT)."""
    service = k8s_objects("Service")["gateway"]
    assert service["spec"]["externalTrafficPolicy"] == "Local"
    assert {p["port"] for p in service["spec"]["ports"]} == {80, 443}


@pytest.mark.parametrize("conf", GATEWAY_CONFS)
def test_finding_16_audit_roles_and_schedules_are_routed(conf: Path) -> None:
    """Finding 16: "the gateways leave /api/v1/audit, /api/v1/roles and /api/v1/schedules unrouted"."""
    gw = gateway(conf)
    assert gw.route_to_host("/api/v1/audit?offset=0") == "org-service"
    assert gw.route_to_host("/api/v1/roles") == "org-service"
    assert gw.route_to_host("/api/v1/schedules/2026") == "application-service"


@pytest.mark.parametrize("conf", GATEWAY_CONFS)
def test_finding_5_the_gateway_does_not_log_who_cast_a_ballot(conf: Path) -> None:
    """Finding 5: "the gateway logs who posted each ballot and when" (NAT-2)."""
    tls = _servers(conf)["8443"]
    (sessions,) = [loc for loc in children(tls.block, "location") if loc.args[-1] == "/api/v1/sessions"]
    (ballots,) = children(sessions.block, "location")
    assert ballots.args[0] == "~"
    pattern = re.compile(ballots.args[1])
    assert pattern.match("/api/v1/sessions/5f0c/ballots") and not pattern.match("/api/v1/sessions/5f0c/ballot-form")
    assert [d.args for d in children(ballots.block, "access_log")] == [("off",)]
    assert children(ballots.block, "proxy_pass")[0].args[0] == "http://review_service"
    error_log = children(ballots.block, "error_log")
    assert error_log and error_log[0].args[-1] == "crit", "no client line for a failed ballot either"


def test_compose_gateway_serves_tls_from_file_secrets() -> None:
    """Finding 15: compose publishes HTTPS and mounts the certificate and key as file secrets."""
    gateway_service = compose_services()["gateway"]
    assert any(str(port).endswith(":8443") for port in gateway_service["ports"])
    mounted = {m["target"] for m in gateway_service["secrets"]}
    assert {"zc_gateway_tls_cert", "zc_gateway_tls_key"} <= mounted


def test_finding_24_the_guides_signing_key_is_one_org_service_accepts(tmp_path: Path) -> None:
    """Finding 24: "The deployment guide generates an RSA key that org-service rejects (it needs Ed25519)"."""
    commands = [line.strip() for line in README.read_text(encoding="utf-8").splitlines() if "openssl genpkey" in line]
    jwt_commands = [c for c in commands if "jwt" in c]
    assert jwt_commands, "deploy/README.md tells how to generate the JWT signing key"
    for command in jwt_commands:
        words = shlex.split(command, comments=True)
        out = words.index("-out")
        words[out + 1] = str(tmp_path / "jwt-private.pem")
        subprocess.run(words, check=True, capture_output=True, timeout=30)
        issuer = TokenIssuer(tmp_path / "jwt-private.pem", access_minutes=5)
        assert issuer.jwks()["keys"][0]["crv"] == "Ed25519"
