"""The commands a retry must not repeat declare the Idempotency-Key header in the OpenAPI document."""

from __future__ import annotations

from review_service import create_app
from review_service.settings import ReviewSettings


def test_forming_a_committee_and_opening_a_session_take_an_idempotency_key() -> None:
    paths = create_app(ReviewSettings()).openapi()["paths"]
    for path in ("/api/v1/committees", "/api/v1/committees/{committee_id}/sessions"):
        headers = {p["name"] for p in paths[path]["post"]["parameters"] if p["in"] == "header"}
        assert "Idempotency-Key" in headers, path
