"""Every route of the four services declares the schema of its success response, so clients (the web
application among them) can be generated from the OpenAPI documents."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI


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
