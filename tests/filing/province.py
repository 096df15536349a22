"""The provincial side of a push as the stack tests drive it (POL-FI-1): the batch delivered (through
application-service's idempotent internal endpoint, as the filing workflow's activity calls it, so a
test need not wait for the worker), the simulator's reviewer deciding, and the verdict arriving back
at application-service through the signed callback."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from zhicheng_devstack.components import SIMULATOR
from zhicheng_kernel.signing import new_private_key, private_key_pem, webhook_public_key

from tests.api_client import Api, bearer

PROVINCE = SIMULATOR.name
REVIEWER = "省职改办 张三"


def deliver(api: Api, push_id: str, timeout: float = 30.0) -> dict[str, Any]:
    """POST /api/v1/internal/filings/{push_id}/deliver with the workflow service's token, until the
    province received the batch (its filings row follows the push in the same transaction)."""
    url = api.url("application-service", f"/api/v1/internal/filings/{push_id}/deliver")
    deadline = time.monotonic() + timeout
    while True:
        r = api.http.post(url, headers=bearer(api.service_token("workflows")))
        if r.status_code == 200:
            return dict(r.json())
        if time.monotonic() > deadline:
            raise AssertionError(f"filing {push_id} not delivered: {r.status_code} {r.text}")
        time.sleep(0.3)


def province(api: Api, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """The simulator's reviewer API (its bearer token)."""
    r = api.http.request(
        method, api.url(PROVINCE, path), json=body, headers=bearer(api.stack.secrets.province_reviewer_token)
    )
    assert r.status_code == 200, r.text
    return r.json()


def decide(api: Api, push_id: str, application_id: str, verdict: str, reasons: list[str] | None = None) -> Any:
    body = {"verdict": verdict, "reasons": reasons or [], "reviewer": REVIEWER}
    return province(api, "POST", f"/api/v1/filings/{push_id}/items/{application_id}/verdict", body)


def wait_verdict(api: Api, application_id: str, token: str, timeout: float = 30.0) -> dict[str, Any]:
    """The application at application-service once the province's callback was applied."""
    deadline = time.monotonic() + timeout
    while True:
        r = api.get("application-service", f"/api/v1/applications/{application_id}", token)
        assert r.status_code == 200, r.text
        if r.json()["filing"] is not None:
            return dict(r.json())
        if time.monotonic() > deadline:
            raise AssertionError(f"no provincial verdict reached {application_id}")
        time.sleep(0.2)


def approve_all(api: Api, push_id: str, application_ids: list[str], token: str) -> None:
    """POL-FI-1: the batch delivered, every application approved by the simulator's reviewer and the
    verdicts recorded at application-service."""
    deliver(api, push_id)
    for application_id in application_ids:
        decide(api, push_id, application_id, "approved")
    for application_id in application_ids:
        assert wait_verdict(api, application_id, token)["status"] == "filing_approved"


def production_province(key_dir: Path) -> dict[str, Any]:
    """The province settings a production application-service must have to start (POL-FI-1): a city
    assertion key written into `key_dir`, a province webhook key, our callback URL."""
    key_file = key_dir / "province-assertion-key.pem"
    key_file.write_bytes(private_key_pem(new_private_key()))
    return {
        "province_url": "http://127.0.0.1:9",
        "province_client_id": "620800-pingliang",
        "province_assertion_key_file": key_file,
        "province_webhook_public_key": webhook_public_key(new_private_key().public_key()),
        "province_callback_url": "https://zc.example/api/v1/provincial/callbacks",
    }
