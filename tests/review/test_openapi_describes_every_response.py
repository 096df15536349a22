"""Every route of review-service declares its response, so clients can be generated from OpenAPI."""

from __future__ import annotations

from review_service import create_app
from review_service.settings import ReviewSettings


def test_every_route_has_a_response_schema() -> None:
    document = create_app(ReviewSettings()).openapi()
    missing = [
        f"{method.upper()} {path} → {status}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for status, response in operation["responses"].items()
        if status.startswith("2") and status != "204"
        if not response.get("content", {}).get("application/json", {}).get("schema")
    ]
    assert missing == []
    assert len(document["paths"]) >= 14


def test_forming_a_committee_and_opening_a_session_take_an_idempotency_key() -> None:
    paths = create_app(ReviewSettings()).openapi()["paths"]
    for path in ("/api/v1/committees", "/api/v1/committees/{committee_id}/sessions"):
        headers = {p["name"] for p in paths[path]["post"]["parameters"] if p["in"] == "header"}
        assert "Idempotency-Key" in headers, path
