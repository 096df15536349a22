"""POL-FI-1's contract document: docs/provincial/openapi.json is what the provincial simulator's app
generates (`make provincial-contract` writes it), and it names every part of the wire."""

from __future__ import annotations

import json
from pathlib import Path

from provincial_simulator.contract import document, rendered

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "provincial" / "openapi.json"


def test_pol_fi_1_the_committed_contract_is_the_generated_one() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == rendered(), "run `make provincial-contract` and commit the result"


def test_the_contract_describes_the_whole_wire() -> None:
    spec = document()
    assert json.loads(rendered()) == spec
    operations = {(method, path): op for path, ops in spec["paths"].items() for method, op in ops.items()}
    assert set(operations) == {
        ("get", "/health"),
        ("post", "/oauth2/token"),
        ("post", "/api/v1/filings"),
        ("get", "/api/v1/filings"),
        ("get", "/api/v1/filings/{filing_id}"),
        ("post", "/api/v1/filings/{filing_id}/items/{application_id}/verdict"),
    }
    assert {"202", "200", "409", "413", "422", "401"} <= set(operations[("post", "/api/v1/filings")]["responses"])
    assert operations[("post", "/api/v1/filings")]["security"] == [{"cityClient": ["filing"]}]
    assert operations[("post", "/api/v1/filings/{filing_id}/items/{application_id}/verdict")]["security"] == [
        {"reviewer": []}
    ]
    schemes = spec["components"]["securitySchemes"]
    assert schemes["cityClient"]["flows"]["clientCredentials"]["tokenUrl"] == "/oauth2/token"
    assert "private_key_jwt" in schemes["cityClient"]["description"]
    callback = spec["webhooks"]["filing.verdict"]["post"]
    headers = {p["name"] for p in callback["parameters"] if p["in"] == "header"}
    assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert callback["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/VerdictCallback")
    assert "HTTPValidationError" not in json.dumps(spec)
