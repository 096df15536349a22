"""Facts that arrive late re-assess an open application (issue 9, "facts that arrive late"): a paper
check (POL-PA-4), a registry change (POL-PA-3), each a new EligibilityAssessed with its trigger and the
outcomes that changed; a decided or withdrawn application is left as it was."""

from __future__ import annotations

import uuid

import pytest

from tests.application.attesting import assessments, read
from tests.application.conftest import Harness, Tree, auth, city_office, paper, pass_checks, post, submit

pytestmark = pytest.mark.stack


async def test_pol_pa_4_a_recorded_check_reassesses_the_application(svc: Harness, tree: Tree) -> None:
    app = (await submit(svc, tree)).json()
    assert (
        next(o for o in (await assessments(svc, app["id"]))[-1]["outcomes"] if o["rule_id"] == "POL-PA-4")["outcome"]
        == "pending"  # the check has not come back: the title office waits for it
    )
    await pass_checks(svc, app)
    types = await svc.stream(app["id"])
    assert types[-2:] == ["PaperCheckRecorded", "EligibilityAssessed"]
    latest = (await assessments(svc, app["id"]))[-1]
    assert latest["trigger"] == "paper_checked" and latest["basis"] == "declared"
    assert {"rule_id": "POL-PA-4", "before": "pending", "after": "pass"} in latest["changes"]
    seen = await read(svc, tree, app["id"])
    assert seen["eligibility_trigger"] == "paper_checked" and seen["eligibility_changes"] == latest["changes"]


async def _journal(svc: Harness, tree: Tree, cn: str, press_listed: str) -> None:
    entry = {"cn_number": cn, "name": "平凉测试医学", "core_years": "", "press_listed": press_listed}
    r = await svc.client.put("/api/v1/registries/journals/entries", json=entry, headers=auth(city_office(svc, tree)))
    assert r.is_success, r.text


async def test_pol_pa_3_a_registry_change_reassesses_open_applications(svc: Harness, tree: Tree) -> None:
    cn = f"CN62-{uuid.uuid4().int % 9000 + 1000}/R"
    await _journal(svc, tree, cn, "否")
    body = [paper(journal="平凉测试医学", cn_number=cn, journal_level="provincial", published_on="2024-03-01")]
    app = (await submit(svc, tree, papers=body)).json()
    withdrawn = (await submit(svc, tree, papers=body)).json()
    applicant = svc.token(withdrawn["applicant_id"], tree.school, ["applicant"])
    r = await post(svc, f"/api/v1/applications/{withdrawn['id']}/withdraw", applicant, {"reason": "不再申报"})
    assert r.status_code == 200, r.text
    (excluded,) = (await assessments(svc, app["id"]))[-1]["excluded_items"]  # the paper does not count
    assert excluded["rule_id"] == "POL-PA-3" and excluded["item"] == "paper"
    await _journal(svc, tree, cn, "是")
    latest = (await assessments(svc, app["id"]))[-1]
    assert latest["trigger"] == "registry_changed"
    assert {"rule_id": "POL-PA-3", "before": "excluded", "after": "pass"} in latest["changes"]
    seen = await read(svc, tree, app["id"])
    assert latest["excluded_items"] == [] and seen["eligibility_trigger"] == "registry_changed"
    assert (await assessments(svc, withdrawn["id"]))[-1]["trigger"] == "submitted"  # closed: left as it was
    # A change that changes no outcome appends nothing.
    count = len(await assessments(svc, app["id"]))
    await _journal(svc, tree, cn, "是")
    assert len(await assessments(svc, app["id"])) == count
