"""The person an application is about — the ID-card number the front-line rosters (POL-FL-*) and the
blacklist (POL-ER-3) list — comes from org-service's ApplicantRegistered, which this service
projects; an applicant's token carries a generated username only."""

from __future__ import annotations

import uuid

import pytest
from zhicheng_kernel.identifiers import id_card_with_check

from tests.application.conftest import (
    Harness,
    Tree,
    application,
    auth,
    city_office,
    csv_file,
    get,
    post,
    random_person,
)

pytestmark = pytest.mark.stack


async def _import(svc: Harness, tree: Tree, registry: str, csv: str) -> None:
    r = await svc.client.post(
        f"/api/v1/registries/{registry}/import",
        files=csv_file(csv),
        data={"mode": "merge"},
        headers=auth(city_office(svc, tree)),
    )
    assert r.status_code == 200, r.text


async def test_a_submission_waits_for_the_applicant_registered_event(svc: Harness, tree: Tree) -> None:
    """Before ApplicantRegistered has arrived the submission is 409 applicant_not_synced (retry later),
    as for an organization not yet known; once it has, the same request is accepted."""
    account = str(uuid.uuid4())
    token = svc.token(account, tree.school, ["applicant"], username=f"{tree.school['org_id'][:10]}-sq0001")
    early = await post(svc, "/api/v1/applications", token, application())
    assert early.status_code == 409 and early.json()["code"] == "applicant_not_synced"
    assert "稍后重试" in early.json()["detail"]
    assert (await get(svc, "/api/v1/applications", token)).json()["items"] == []
    await svc.register(tree.school, account_id=account)
    assert (await post(svc, "/api/v1/applications", token, application())).status_code == 201


async def test_pol_er_3_refuses_a_blacklisted_person_known_by_the_projected_number(svc: Harness, tree: Tree) -> None:
    person = id_card_with_check("62082119760606123")
    await _import(
        svc, tree, "blacklist", f"身份证号码,姓名,列入原因,列入日期,移出日期\n{person},钱某,论文抄袭,2026-01-10,\n"
    )
    account = await svc.register(tree.school, person)
    # The token says nothing of the number: its subject is the account, its username a generated one.
    token = svc.token(account, tree.school, ["applicant"], username=f"{tree.school['org_id'][:10]}-sq0002")
    r = await post(svc, "/api/v1/applications", token, application())
    assert r.status_code == 422 and r.json()["code"] == "research_integrity_blacklisted"
    # A token whose username were the number changes nothing for someone registered with another number.
    other = await svc.register(tree.school)
    r = await post(
        svc, "/api/v1/applications", svc.token(other, tree.school, ["applicant"], username=person), application()
    )
    assert r.status_code == 201, r.text


async def test_pol_er_3_matches_applicants_registered_before_the_number_had_its_own_field(
    svc: Harness, tree: Tree
) -> None:
    """ApplicantRegistered version 1 had no id_card_number: its username was the number."""
    person = id_card_with_check("62082119770707123")
    await _import(
        svc, tree, "blacklist", f"身份证号码,姓名,列入原因,列入日期,移出日期\n{person},孙某,数据造假,2026-02-01,\n"
    )
    account = str(uuid.uuid4())
    old = {
        "account_id": account,
        "username": person,
        "org_id": tree.school["org_id"],
        "org_path": tree.school["path"],
        "display_name": "孙某",
        "on_staff": True,
    }
    await svc.feed("org-service", "ApplicantRegistered", old, schema_version=1)
    r = await post(svc, "/api/v1/applications", svc.token(account, tree.school, ["applicant"]), application())
    assert r.status_code == 422 and r.json()["code"] == "research_integrity_blacklisted"


async def test_pol_fl_2_finds_the_applicant_on_a_roster_by_the_projected_number(svc: Harness, tree: Tree) -> None:
    listed = random_person()
    roster = f"R-{uuid.uuid4().hex[:8]}"
    await _import(
        svc,
        tree,
        "frontline_rosters",
        f"roster_id,set_by,with_employer,filed_by,members\n{roster},county_district,是,某县,{listed}\n",
    )
    front_line = {"roster_id": roster, "epidemic_results": []}
    outcomes = {}
    for person in (listed, random_person()):
        token = svc.token(await svc.register(tree.school, person), tree.school, ["applicant"])
        r = await post(svc, "/api/v1/applications", token, application(front_line=front_line))
        assert r.status_code == 201, r.text
        report = (await get(svc, f"/api/v1/applications/{r.json()['id']}/eligibility", token)).json()
        outcomes[person] = {o["rule_id"]: o for o in report["outcomes"]}
    assert outcomes[listed]["POL-FL-2"]["outcome"] == "pass"
    unlisted = next(o for p, o in outcomes.items() if p != listed)
    assert unlisted["POL-FL-2"]["outcome"] == "fail" and "申报人不在名册" in unlisted["POL-FL-2"]["explanation_zh"]
