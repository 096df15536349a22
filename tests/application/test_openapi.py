"""The OpenAPI document describes every response of application-service, so clients can be generated."""

from __future__ import annotations

from application_service.app import create_app
from application_service.settings import ApplicationSettings


def test_every_route_declares_the_schema_of_its_success_response() -> None:
    document = create_app(ApplicationSettings(environment="test")).openapi()
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            status, response = next((s, r) for s, r in operation["responses"].items() if s.startswith("2"))
            if status == "204":
                continue
            schemas = [media.get("schema") for media in response.get("content", {}).values()]
            if not schemas or not all(schemas) or any(s == {} for s in schemas):
                missing.append(f"{method.upper()} {path}")
    assert missing == []
    assert len(document["paths"]) > 20
