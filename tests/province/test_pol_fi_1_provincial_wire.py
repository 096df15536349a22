"""POL-FI-1's wire, the province's side: the provincial simulator as a real process.

"事中监管要求各市州的关键信息审核，调整为提交评委会评审前报省职改办审核": the city files each push
batch with the province (RFC 7523 client assertion → token → idempotent filing), the provincial reviewer
approves or returns each application, and the verdict comes back as a signed Standard Webhook, retried
until the city answers 2xx, also across a restart of the simulator.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from provincial_simulator.settings import SimulatorSettings
from zhicheng_kernel.provincial import (
    FilingApplicant,
    FilingEmployer,
    FilingItem,
    FilingReceipt,
    FilingStatus,
    FilingSubmission,
    FilingUnitPublicity,
    ProvincialClient,
    ProvincialError,
    VerdictCallback,
)
from zhicheng_kernel.signing import CLIENT_ASSERTION_TYPE, client_assertion, new_private_key

from tests.harness import wait_for
from tests.province.conftest import Province


def _filing(province: Province, *application_ids: str, filing_id: str | None = None) -> FilingSubmission:
    now = datetime.now(UTC)
    return FilingSubmission(
        filing_id=filing_id or f"push-{uuid.uuid4()}",
        city_code="620800",
        city_name="平凉市",
        year=2026,
        series="卫生",
        level="senior_associate",
        office_org_id="org-office",
        office_name="平凉市职称改革工作领导小组办公室",
        callback_url=province.receiver.url,
        items=[
            FilingItem(
                application_id=aid,
                applicant=FilingApplicant(applicant_id=f"p-{aid}", name="张三"),
                employer=FilingEmployer(org_id="org-unit", name="平凉市人民医院", kind="public_institution"),
                series="卫生",
                level="senior_associate",
                track="normal",
                unit_publicity=FilingUnitPublicity(starts_at=now - timedelta(days=9), ends_at=now - timedelta(days=2)),
            )
            for aid in application_ids or (f"app-{uuid.uuid4()}",)
        ],
    )


def _token_form(assertion: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": CLIENT_ASSERTION_TYPE,
        "client_assertion": assertion,
        "scope": "filing",
    }


def _token(province: Province) -> str:
    assertion = client_assertion(province.city_key, province.client_id, f"{province.url}/oauth2/token")
    response = httpx.post(f"{province.url}/oauth2/token", data=_token_form(assertion))
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _submit(province: Province, filing: FilingSubmission, token: str, key: str | None = None) -> httpx.Response:
    return httpx.post(
        f"{province.url}/api/v1/filings",
        content=filing.model_dump_json(),
        headers={
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": key or filing.filing_id,
            "Content-Type": "application/json",
        },
    )


def _decide(province: Province, filing_id: str, application_id: str, verdict: str, *reasons: str) -> httpx.Response:
    return httpx.post(
        f"{province.url}/api/v1/filings/{filing_id}/items/{application_id}/verdict",
        json={"verdict": verdict, "reasons": list(reasons), "reviewer": "省职改办 张三"},
        headers={"Authorization": f"Bearer {province.reviewer_token}"},
    )


def test_pol_fi_1_token_for_a_good_client_assertion(province: Province) -> None:
    for host in ("127.0.0.1", "localhost"):  # the token endpoint's URL as the client names it
        base = province.url.replace("127.0.0.1", host)
        assertion = client_assertion(province.city_key, province.client_id, f"{base}/oauth2/token")
        response = httpx.post(f"{base}/oauth2/token", data=_token_form(assertion))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["token_type"] == "Bearer" and body["scope"] == "filing" and body["expires_in"] > 0


def test_pol_fi_1_bad_expired_or_replayed_assertions_are_401(province: Province) -> None:
    audience = f"{province.url}/oauth2/token"
    cases = {
        "wrong key": client_assertion(new_private_key(), province.client_id, audience),
        "unknown client": client_assertion(province.city_key, "620100-lanzhou", audience),
        "other audience": client_assertion(
            province.city_key, province.client_id, "https://elsewhere.example/oauth2/token"
        ),
        "expired": client_assertion(province.city_key, province.client_id, audience, now=time.time() - 600),
        "not a JWT": "not-a-jwt",
    }
    for case, assertion in cases.items():
        response = httpx.post(audience, data=_token_form(assertion))
        assert response.status_code == 401, case
        assert response.json()["error"] == "invalid_client", case
    replayed = client_assertion(province.city_key, province.client_id, audience)
    assert httpx.post(audience, data=_token_form(replayed)).status_code == 200
    again = httpx.post(audience, data=_token_form(replayed))
    assert again.status_code == 401 and again.json()["error"] == "invalid_client"
    wrong_grant = _token_form(client_assertion(province.city_key, province.client_id, audience)) | {
        "grant_type": "password"
    }
    assert httpx.post(audience, data=wrong_grant).json()["error"] == "unsupported_grant_type"


def test_pol_fi_1_a_filing_received_twice_is_one_filing(province: Province) -> None:
    token = _token(province)
    filing = _filing(province, "app-1", "app-2")
    first = _submit(province, filing, token)
    assert first.status_code == 202, first.text
    assert FilingReceipt.model_validate(first.json()).duplicate is False
    second = _submit(province, filing, token)
    assert second.status_code == 200
    receipt = FilingReceipt.model_validate(second.json())
    assert receipt.duplicate is True and receipt.items == 2
    assert receipt.received_at == FilingReceipt.model_validate(first.json()).received_at

    listed = httpx.get(
        f"{province.url}/api/v1/filings",
        params={"status": "pending"},
        headers={"Authorization": f"Bearer {province.reviewer_token}"},
    )
    assert listed.status_code == 200
    mine = [f for f in listed.json()["filings"] if f["filing_id"] == filing.filing_id]
    assert len(mine) == 1 and mine[0]["pending_application_ids"] == ["app-1", "app-2"]

    status = httpx.get(
        f"{province.url}/api/v1/filings/{filing.filing_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert status.status_code == 200
    assert [item.verdict for item in FilingStatus.model_validate(status.json()).items] == [None, None]

    changed = filing.model_copy(update={"series": "教育"})
    conflict = _submit(province, changed, token)
    assert conflict.status_code == 409 and conflict.json()["error"] == "filing_conflict"
    other_key = _submit(province, _filing(province), token, key="something-else")
    assert other_key.status_code == 422 and other_key.json()["error"] == "invalid_idempotency_key"


async def test_pol_fi_1_the_city_client_files_idempotently(province: Province) -> None:
    client = ProvincialClient(province.url, province.client_id, province.city_key)
    filing = _filing(province)
    assert (await client.submit(filing)).duplicate is False
    assert (await client.submit(filing)).duplicate is True
    status = await client.status(filing.filing_id)
    assert [item.application_id for item in status.items] == [filing.items[0].application_id]
    with pytest.raises(ProvincialError) as refused:
        await client.status("push-unknown")
    assert refused.value.status == 404 and not refused.value.retryable


def test_pol_fi_1_a_callback_host_not_registered_is_422(province: Province) -> None:
    token = _token(province)
    for url in ("http://169.254.169.254/latest/meta-data", "http://127.0.0.1:1/callbacks", "file:///etc/passwd"):
        filing = _filing(province).model_copy(update={"callback_url": url})
        response = _submit(province, filing, token)
        assert response.status_code == 422, url
        assert response.json()["error"] == "callback_not_allowed"


def test_without_tokens_every_route_is_401(province: Province) -> None:
    token = _token(province)
    filing = _filing(province)
    assert _submit(province, filing, token).status_code == 202
    aid = filing.items[0].application_id
    verdict_url = f"{province.url}/api/v1/filings/{filing.filing_id}/items/{aid}/verdict"
    body = {"verdict": "approved", "reviewer": "省职改办 张三"}
    assert httpx.post(verdict_url, json=body).status_code == 401
    wrong = httpx.post(verdict_url, json=body, headers={"Authorization": "Bearer wrong-token-of-some-length"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_token"
    # the city's access token is not the reviewer's
    assert httpx.post(verdict_url, json=body, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert httpx.get(f"{province.url}/api/v1/filings").status_code == 401
    assert httpx.get(f"{province.url}/api/v1/filings/{filing.filing_id}").status_code == 401
    assert _submit(province, _filing(province), "not-a-token").status_code == 401


def test_a_body_above_5_mb_is_413(province: Province) -> None:
    response = httpx.post(
        f"{province.url}/api/v1/filings",
        content=b"x" * (5 * 1024 * 1024 + 1),
        headers={"Authorization": f"Bearer {_token(province)}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413 and response.json()["error"] == "payload_too_large"


def test_pol_fi_1_a_verdict_is_a_signed_webhook_retried_until_accepted(province: Province) -> None:
    token = _token(province)
    filing = _filing(province, "app-a", "app-b")
    assert _submit(province, filing, token).status_code == 202
    province.receiver.answers.extend([500])

    decided = _decide(province, filing.filing_id, "app-a", "returned", "论文与申报专业不符")
    assert decided.status_code == 200, decided.text
    assert decided.json()["verdict"] == "returned"
    assert _decide(province, filing.filing_id, "app-a", "returned", "论文与申报专业不符").status_code == 200
    assert _decide(province, filing.filing_id, "app-a", "approved").status_code == 409
    assert _decide(province, filing.filing_id, "app-b", "returned").status_code == 422  # a return needs reasons
    assert _decide(province, filing.filing_id, "app-x", "approved").status_code == 404

    seen = wait_for(
        lambda: [d for d in _for(province, filing.filing_id, "app-a") if d.answered == 200],
        timeout=20,
        what="the verdict delivered after a failed attempt",
    )
    attempts = _for(province, filing.filing_id, "app-a")
    assert [d.answered for d in attempts] == [500, 200]  # retried, then never again
    assert len({d.webhook_id for d in attempts}) == 1 and all(d.verified for d in attempts)
    callback = VerdictCallback.model_validate_json(seen[0].body)
    assert callback.data.verdict == "returned" and callback.data.reasons == ["论文与申报专业不符"]
    assert callback.data.filing_id == filing.filing_id and callback.data.reviewer == "省职改办 张三"
    time.sleep(1.5)
    assert len(_for(province, filing.filing_id, "app-a")) == 2

    status = httpx.get(
        f"{province.url}/api/v1/filings/{filing.filing_id}", headers={"Authorization": f"Bearer {token}"}
    )
    verdicts = {item["application_id"]: item["verdict"] for item in status.json()["items"]}
    assert verdicts == {"app-a": "returned", "app-b": None}


def test_pol_fi_1_verdicts_are_delivered_several_at_a_time_each_once(province: Province) -> None:
    """The province does not wait for one city answer before sending the next verdict: with the city
    answering slowly, several webhooks are in flight at once, and each verdict is delivered once."""
    token = _token(province)
    applications = [f"app-{i}" for i in range(6)]
    filing = _filing(province, *applications)
    assert _submit(province, filing, token).status_code == 202
    province.receiver.delay, province.receiver.most_in_flight = 0.5, 0
    try:
        for application_id in applications:
            assert _decide(province, filing.filing_id, application_id, "approved").status_code == 200
        delivered = wait_for(
            lambda: (d := [_for(province, filing.filing_id, a) for a in applications]) and all(d) and d,
            timeout=20,
            what="every verdict delivered",
        )
    finally:
        province.receiver.delay = 0.0
    assert [len(attempts) for attempts in delivered] == [1] * 6
    assert province.receiver.most_in_flight > 1


async def test_pol_fi_1_after_a_restart_the_city_client_fetches_a_new_token(province: Province) -> None:
    """The simulator's access tokens do not survive its restart: the old one is refused (401) and the
    city's client fetches a fresh one by itself."""
    client = ProvincialClient(province.url, province.client_id, province.city_key)
    filing = _filing(province)
    await client.submit(filing)
    old_token = client._token
    province.restart()
    async with httpx.AsyncClient() as http:
        stale = await http.get(
            f"{province.url}/api/v1/filings/{filing.filing_id}", headers={"Authorization": f"Bearer {old_token}"}
        )
    assert stale.status_code == 401 and stale.json()["error"] == "invalid_token"
    assert (await client.submit(filing)).duplicate is True
    assert client._token != old_token


def test_pol_fi_1_delivery_resumes_after_the_simulator_restarts(province: Province) -> None:
    filing = _filing(province, "app-r")
    assert _submit(province, filing, _token(province)).status_code == 202
    province.receiver.failing = True
    try:
        assert _decide(province, filing.filing_id, "app-r", "approved").status_code == 200
        wait_for(lambda: _for(province, filing.filing_id, "app-r"), timeout=20, what="a first, failed attempt")
        province.stack.stop("provincial-simulator")
    finally:
        province.receiver.failing = False
    province.restart()
    delivered = wait_for(
        lambda: [d for d in _for(province, filing.filing_id, "app-r") if d.answered == 200],
        timeout=30,
        what="the delivery resumed by the restarted simulator",
    )
    attempts = _for(province, filing.filing_id, "app-r")
    assert len({d.webhook_id for d in attempts}) == 1 and len(delivered) == 1
    assert (
        attempts[0].answered == 503
        and VerdictCallback.model_validate_json(delivered[0].body).data.verdict == "approved"
    )

    def listed(status: str) -> list[str]:
        response = httpx.get(
            f"{province.url}/api/v1/filings",
            params={"status": status},
            headers={"Authorization": f"Bearer {province.reviewer_token}"},
        )
        return [f["filing_id"] for f in response.json()["filings"]]

    assert filing.filing_id not in listed("pending") and filing.filing_id in listed("all")


def _for(province: Province, filing_id: str, application_id: str) -> list:  # type: ignore[type-arg]
    return [
        d
        for d in province.receiver.deliveries
        if VerdictCallback.model_validate_json(d.body).data.application_id == application_id
        and VerdictCallback.model_validate_json(d.body).data.filing_id == filing_id
    ]


def test_the_simulator_refuses_to_run_in_production() -> None:
    with pytest.raises(ValueError, match="never runs in production"):
        SimulatorSettings(environment="production")
