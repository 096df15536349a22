"""Helpers of the issue-9 attestation tests: the unit's reviewer attests, reviewers approve, streams read."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.application.conftest import Harness, Tree, auth


def unit_reviewer(svc: Harness, tree: Tree) -> str:
    return svc.token(f"unit-{uuid.uuid4().hex[:6]}", tree.school, ["unit_review"])


async def attest(
    svc: Harness, app_id: str, token: str, corrections: list[dict[str, Any]] | None = None, **body: Any
) -> httpx.Response:
    payload = {"corrections": corrections or []} | body
    return await svc.client.post(f"/api/v1/applications/{app_id}/attestation", json=payload, headers=auth(token))


async def read(svc: Harness, tree: Tree, app_id: str) -> dict[str, Any]:
    token = svc.token(f"aud-{uuid.uuid4().hex[:6]}", tree.county, ["auditor"])
    r = await svc.client.get(f"/api/v1/applications/{app_id}", headers=auth(token))
    assert r.status_code == 200, r.text
    return dict(r.json())


async def report(svc: Harness, tree: Tree, app_id: str) -> dict[str, Any]:
    token = svc.token(f"aud-{uuid.uuid4().hex[:6]}", tree.county, ["auditor"])
    r = await svc.client.get(f"/api/v1/applications/{app_id}/eligibility", headers=auth(token))
    assert r.status_code == 200, r.text
    return dict(r.json())


def outcome(report: dict[str, Any], rule_id: str) -> str:
    return str(next(o["outcome"] for o in report["outcomes"] if o["rule_id"] == rule_id))


async def assessments(svc: Harness, app_id: str) -> list[dict[str, Any]]:
    """The EligibilityAssessed payloads of the application's stream, in order."""
    return [p for t, p in await svc.stream_events(app_id) if t == "EligibilityAssessed"]
