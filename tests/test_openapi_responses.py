"""Every route of the four services declares the schema of its success response, so clients (the web
application among them) can be generated from the OpenAPI documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from zhicheng_tooling.openapi_docs import SERVICES


def _undescribed(document: dict[str, Any]) -> list[str]:
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if not status.startswith("2") or status == "204":
                    continue
                schemas = [media.get("schema") for media in response.get("content", {}).values()]
                if not schemas or not all(schemas) or any(s == {} for s in schemas):
                    missing.append(f"{method.upper()} {path} → {status}")
    return missing


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_success_response_of_the_service_has_a_schema(service: str, tmp_path: Path) -> None:
    document = SERVICES[service](tmp_path).openapi()
    assert len(document["paths"]) >= 5
    assert _undescribed(document) == []
