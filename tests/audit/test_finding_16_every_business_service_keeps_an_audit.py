"""Finding 16 for review- and plagiarism-service (no servers): each keeps the business audit through the
same kernel code as application-service — the route auditors read, bounded and documented."""

from __future__ import annotations

import pytest
from application_service.app import create_app as application_app
from fastapi import FastAPI
from plagiarism_service.app import create_app as plagiarism_app
from review_service.app import create_app as review_app
from zhicheng_kernel import audit
from zhicheng_kernel.inputs import MAX_OFFSET, MAX_PAGE_SIZE


@pytest.mark.parametrize(
    ("build", "service", "path"),
    [
        (application_app, "application-service", "/api/v1/audit/application"),
        (review_app, "review-service", "/api/v1/audit/review"),
        (plagiarism_app, "plagiarism-service", "/api/v1/audit/plagiarism"),
    ],
)
def test_finding_16_each_business_service_audits_its_commands_and_serves_auditors(
    build: object, service: str, path: str
) -> None:
    """Finding 16: "only org-service writes audit rows" — application-, review- and plagiarism-service each
    register their audit_log table with the unit of work and serve it to auditors in bounded pages."""
    app = build()  # type: ignore[operator]
    assert isinstance(app, FastAPI)
    assert audit._tables[service].name == "audit_log"
    operation = app.openapi()["paths"][path]["get"]
    params = {p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}
    assert params["limit"]["maximum"] == MAX_PAGE_SIZE and params["offset"]["maximum"] == MAX_OFFSET
    assert "200" in operation["responses"]
