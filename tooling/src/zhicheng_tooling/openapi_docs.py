"""The four services' OpenAPI documents, built from their apps without a running stack, and the Chinese
names of the codes they answer with (vocabulary.json, from application-service's domain).

    uv run python -m zhicheng_tooling.openapi_docs [--out web/openapi]

The web application's typed API client is generated from these files (`npm run gen:api`), so a
changed endpoint breaks the web build, not the user; `make openapi` rewrites them and a pure test
(tests/test_web_openapi_docs.py) fails while they differ from the apps.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_OUT = ROOT / "web" / "openapi"


def _org(tmp: Path) -> FastAPI:
    from org_service.app import create_app
    from org_service.settings import OrgSettings

    key = tmp / "jwt.pem"
    key.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return create_app(OrgSettings(jwt_private_key_file=key))


def _application(tmp: Path) -> FastAPI:
    from application_service.app import create_app
    from application_service.settings import ApplicationSettings

    return create_app(ApplicationSettings(environment="test"))


def _review(tmp: Path) -> FastAPI:
    from review_service.app import create_app
    from review_service.settings import ReviewSettings

    return create_app(ReviewSettings())


def _plagiarism(tmp: Path) -> FastAPI:
    from plagiarism_service.app import create_app
    from zhicheng_kernel.settings import ServiceSettings

    return create_app(ServiceSettings())


SERVICES: dict[str, Callable[[Path], FastAPI]] = {
    "org-service": _org,
    "application-service": _application,
    "review-service": _review,
    "plagiarism-service": _plagiarism,
}


def documents() -> dict[str, dict[str, Any]]:
    """Each service's OpenAPI document, as its app serves it at /openapi.json."""
    with tempfile.TemporaryDirectory() as tmp:
        return {name: build(Path(tmp)).openapi() for name, build in SERVICES.items()}


def vocabulary() -> dict[str, dict[str, str]]:
    """The names every page shows for a status, a track, a level (application_service.domain.vocabulary)."""
    from application_service.domain.vocabulary import vocabulary as names

    return names()


def render(document: dict[str, Any], sort_keys: bool = True) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=sort_keys) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, document in documents().items():
        (args.out / f"{name}.json").write_text(render(document), encoding="utf-8")
    # in the domain's order: the order a page lists them in
    (args.out / "vocabulary.json").write_text(render(vocabulary(), sort_keys=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
