"""The web application's API client is generated from web/openapi/*.json: those files must be the
services' own documents, so that a changed endpoint breaks the web build (`make openapi` rewrites them)."""

from __future__ import annotations

from zhicheng_tooling.openapi_docs import DEFAULT_OUT, documents, render, vocabulary


def test_the_web_applications_openapi_documents_are_the_services_own() -> None:
    stale = [
        name
        for name, document in documents().items()
        if not (DEFAULT_OUT / f"{name}.json").exists()
        or (DEFAULT_OUT / f"{name}.json").read_text(encoding="utf-8") != render(document)
    ]
    assert stale == [], f"web/openapi is stale for {stale}: run `make openapi`"


def test_the_web_applications_names_of_codes_are_the_services_own() -> None:
    """Every page names a status or a track as application-service does (one home: its domain)."""
    written = (
        (DEFAULT_OUT / "vocabulary.json").read_text(encoding="utf-8")
        if (DEFAULT_OUT / "vocabulary.json").exists()
        else ""
    )
    assert written == render(vocabulary(), sort_keys=False), "web/openapi/vocabulary.json is stale: run `make openapi`"
