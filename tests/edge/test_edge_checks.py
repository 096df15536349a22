"""Findings 13 and 27 of issue 12 at a real service: a body is capped per route (from Content-Length
and while it streams), a route requiring a token answers before reading the body, a NUL character in a
path or query is refused before any route runs; and the liveness probe does no I/O."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.api_client import Api, bearer
from tests.harness import Stack

MB = 1024 * 1024


@pytest.fixture(scope="module")
def api(stack: Stack) -> Iterator[Api]:
    client = Api(stack)
    yield client
    client.http.close()


def _org_body(size: int) -> bytes:
    return json.dumps({"name": "测" * (size // 3), "kind": "employer"}).encode()


def test_finding_13_a_body_over_its_routes_cap_is_refused_from_its_content_length(api: Api) -> None:
    """Finding 13: "64 MB on every route": an ordinary route takes at most 1 MB."""
    r = api.http.post(
        api.url("org-service", "/api/v1/orgs"),
        content=_org_body(2 * MB),
        headers={**bearer(api.admin_token()), "Content-Type": "application/json"},
    )
    assert r.status_code == 413 and r.json()["code"] == "body_too_large"
    assert r.json()["max_bytes"] == MB


def test_finding_13_a_chunked_body_is_capped_while_it_streams(api: Api) -> None:
    """Finding 13: without a Content-Length the cap holds as the chunks arrive."""

    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b" " * (64 * 1024)

    r = api.http.post(
        api.url("org-service", "/api/v1/orgs"),
        content=chunks(),
        headers={**bearer(api.admin_token()), "Content-Type": "application/json"},
    )
    assert r.status_code == 413 and r.json()["code"] == "body_too_large"


def test_finding_13_a_route_declaring_a_larger_body_takes_it(api: Api, stack: Stack) -> None:
    """Finding 13: "larger only where a route declares it" — the public complaint's attachments."""
    if "review-service" not in stack.processes:
        pytest.skip("review-service not started")
    body = json.dumps({"padding": "x" * (2 * MB)}).encode()
    r = api.http.post(
        api.url("review-service", "/api/v1/public/publicity/no-such-session/complaints"),
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code != 413 and r.status_code < 500


def test_finding_13_a_route_requiring_a_token_answers_before_reading_the_body(api: Api) -> None:
    """Finding 13: "Bodies are parsed before authentication": the 401 comes while the body is unsent."""
    where = urlsplit(api.url("org-service", "/api/v1/orgs"))
    with socket.create_connection((where.hostname, where.port), timeout=20) as conn:
        conn.sendall(
            b"POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 500000\r\n\r\n{"
        )
        answer = conn.recv(4096).decode("latin-1")  # times out (fails) if the server waits for the body
    assert answer.startswith("HTTP/1.1 401"), answer
    assert "application/problem+json" in answer


def test_finding_13_a_bad_token_is_refused_before_the_body(api: Api) -> None:
    """Finding 13: an invalid token is refused like a missing one, before the body is read."""
    where = urlsplit(api.url("org-service", "/api/v1/orgs"))
    with socket.create_connection((where.hostname, where.port), timeout=20) as conn:
        conn.sendall(
            b"POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer not.a.token\r\n"
            b"Content-Type: application/json\r\nContent-Length: 500000\r\n\r\n{"
        )
        answer = conn.recv(4096).decode("latin-1")
    assert answer.startswith("HTTP/1.1 401"), answer


def test_finding_27_a_nul_character_in_a_query_is_422_before_the_route(api: Api, stack: Stack) -> None:
    """Finding 27: "`GET /api/v1/documents/verify?number=` with a NUL character answers 500"."""
    service = "review-service" if "review-service" in stack.processes else "org-service"
    path = "/api/v1/documents/verify" if service == "review-service" else "/api/v1/orgs"
    r = api.http.get(api.url(service, path), params={"number": "平人社\x00职称号", "name": "a\x00b"})
    assert r.status_code == 422 and r.json()["code"] == "nul_character"
    assert r.headers["content-type"].startswith("application/problem+json")
    in_path = api.http.get(api.url("org-service", "/api/v1/orgs/a%00b"), headers=bearer(api.admin_token()))
    assert in_path.status_code == 422 and in_path.json()["field"] == "path"


def test_a_liveness_probe_answers_without_the_database(api: Api) -> None:
    """The smaller finding "liveness probes that hit the database": /livez does no I/O."""
    r = api.http.get(api.url("org-service", "/livez"))
    assert r.status_code == 200 and r.json() == {"status": "alive"}
