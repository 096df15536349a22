"""The web application's API client is generated from web/openapi/*.json: those files must be the
services' own documents, so that a changed endpoint breaks the web build (`make openapi` rewrites them)."""

from __future__ import annotations

from zhicheng_tooling.openapi_docs import DEFAULT_OUT, documents, render


def test_the_web_applications_openapi_documents_are_the_services_own() -> None:
    stale = [
        name
        for name, document in documents().items()
        if not (DEFAULT_OUT / f"{name}.json").exists()
        or (DEFAULT_OUT / f"{name}.json").read_text(encoding="utf-8") != render(document)
    ]
    assert stale == [], f"web/openapi is stale for {stale}: run `make openapi`"
