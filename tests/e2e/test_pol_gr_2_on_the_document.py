"""Issue 9, "Done when": the POL-GR-2 wording "乡村不受指标限制" is shown on a qualification document that
review-service issued, from attested facts only. Two rural teachers of one school declare 21 years of
rural work in a hard, remote area; the school's reviewer confirms the first teacher's facts (approving
at the unit confirms what was declared) and corrects the second's to 5 years (the attestation,
contract C3 FactsAttested). Both go the whole real path — unit publicity and approval, the title
office, the push, a committee session, secret ballots, publicity — and only the first document says it."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator

import httpx
import pytest

from tests.api_client import Api
from tests.e2e.walk import Walk, accepted, eventually
from tests.harness import Stack, started_in_background

pytestmark = pytest.mark.stack

# Pushed by December (SCHED-1) and used by no other stack test, so the session takes only these two.
SERIES = "中专教师系列"
LEVEL = "intermediate"
RURAL = "乡村不受指标限制"


@pytest.fixture(scope="module")
def worker(stack: Stack) -> Iterator[concurrent.futures.Future[None]]:
    """The workflows worker, starting in the background while the test prepares its applications (its
    start-up mostly waits); the test waits for it before the push, whose filing and session need it."""
    with started_in_background(stack, "workflows") as started:
        yield started


def test_pol_gr_2_rural_wording_is_printed_only_from_attested_facts(
    stack: Stack, worker: concurrent.futures.Future[None]
) -> None:
    walk = Walk(Api(stack), "平凉市乡村中等专业学校", SERIES, LEVEL)
    _, confirmed = walk.rural_teacher("马春梅")
    _, corrected = walk.rural_teacher("杨志刚")
    for application_id in (confirmed, corrected):
        walk.checked(application_id)
    for application_id in (confirmed, corrected):
        walk.publicised(application_id)  # NAT-5: both publicities run at once
    walk.unit_approves(confirmed)  # approving confirms what was declared
    walk.unit_approves(
        corrected,
        [{"path": "work.rural_months", "attested": 60, "reason": "人事档案记载在乡村学校工作5年，其余年限在县城学校"}],
    )
    operator = walk.api.operator_token()
    for application_id in (confirmed, corrected):
        walk.decide(application_id, operator)  # the city title office, the last step of the chain
    worker.result()

    push = {"year": walk.year, "series": SERIES, "level": LEVEL, "application_ids": [confirmed, corrected]}
    eventually(
        "the push", accepted(lambda: walk.api.post("application-service", "/api/v1/pushes", operator, push), 201)
    )
    walk.committee_passes([confirmed, corrected])

    printed, withheld = walk.document(confirmed), walk.document(corrected)
    assert printed["route"] == "committee" and printed["session_id"]
    assert RURAL in printed["annotations"]
    assert RURAL not in withheld["annotations"]
    # Anyone checking the number sees the wording; the corrected teacher's document does not carry it.
    url = walk.api.url("review-service", "/api/v1/documents/verify")
    public = httpx.get(url, params={"number": printed["number"]})
    assert public.status_code == 200 and RURAL in public.json()["annotations"], public.text
    assert RURAL not in httpx.get(url, params={"number": withheld["number"]}).json()["annotations"]
