"""Issue 4 in-process on the real PostgreSQL, with a clock the test sets: the policy engine at
submission (EligibilityAssessed), the city office's registries and schedules, drafts, withdrawal,
return and resubmission, attachments, the unit's publicity (NAT-5), queries and the push roster."""

from __future__ import annotations

import asyncio
import io
import json
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from application_service.app import create_app
from application_service.settings import ApplicationSettings
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from zhicheng_kernel.auth import TokenVerifier
from zhicheng_kernel.calendar import CHINA_TZ
from zhicheng_kernel.clock import FixedClock
from zhicheng_kernel.tables import events

from tests.application.test_service_inprocess import Harness, Tree, application, auth, paper, pass_checks
from tests.harness import Servers

pytestmark = pytest.mark.stack

START = datetime(2026, 6, 1, 10, tzinfo=CHINA_TZ)  # a Monday
W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_card(first17: str) -> str:
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, W, strict=True)) % 11]


@pytest.fixture(scope="module")
async def svc(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    name = f"zc_app4_{uuid.uuid4().hex[:10]}"
    await asyncio.to_thread(servers.postgres.create_database, name)
    key = Ed25519PrivateKey.generate()
    jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
    verifier = TokenVerifier(jwks={"keys": [{**jwk, "kid": "test", "alg": "EdDSA", "use": "sig"}]})
    settings = ApplicationSettings(
        environment="test",
        database_url=servers.postgres.url(name),
        kafka_bootstrap="127.0.0.1:9",
        org_url="http://127.0.0.1:9",
        plagiarism_url="http://127.0.0.1:9",
        review_url="http://127.0.0.1:9",
        catchup_interval_seconds=3600,
        attachments_dir=tmp_path_factory.mktemp("attachments"),
        nat5_publicity_required=True,
    )
    clock = FixedClock(START)
    app = create_app(settings, clock=clock, verifier=verifier)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://application-service") as client:
            yield Harness(client, clock, app.state.runtime, key)


@pytest.fixture
async def tree(svc: Harness) -> Tree:
    svc.clock.set(START)
    city = await svc.org("title_office", None, "city")
    county = await svc.org("title_office", city)
    dept = await svc.org("government_department", county)
    school = await svc.org("state_unit", dept)
    other = await svc.org("state_unit", dept)
    return Tree(city, county, dept, school, other)


def applicant(svc: Harness, tree: Tree, person: str | None = None) -> str:
    return svc.token(person or random_person(), tree.school, ["applicant"])


def random_person() -> str:
    """A fresh ID number: birth date and sequence drawn from ~10 million, so two never collide in a run."""
    n = uuid.uuid4().int
    birth = date(1960, 1, 1) + timedelta(days=n % 14_000)
    return id_card(f"620821{birth:%Y%m%d}{(n // 14_000) % 1000:03d}")


async def post(svc: Harness, url: str, token: str, body: dict[str, Any] | None = None) -> httpx.Response:
    return await svc.client.post(url, json=body or {}, headers=auth(token))


async def get(svc: Harness, url: str, token: str, **params: Any) -> httpx.Response:
    return await svc.client.get(url, params=params, headers=auth(token))


def office(svc: Harness, tree: Tree, roles: tuple[str, ...] = ("title_office_review", "push", "auditor")) -> str:
    return svc.token(f"office-{uuid.uuid4().hex[:6]}", tree.county, list(roles))


def city_office(svc: Harness, tree: Tree) -> str:
    return svc.token(f"city-{uuid.uuid4().hex[:6]}", tree.city, ["title_office_review", "auditor"])


async def decide(svc: Harness, app: dict[str, Any], org: dict[str, str], role: str, **body: Any) -> httpx.Response:
    token = svc.token(f"r-{uuid.uuid4().hex[:6]}", org, [role])
    payload = {"decision": "approve", "opinion": "同意", "expected_version": app["version"]} | body
    return await post(svc, f"/api/v1/applications/{app['id']}/decisions", token, payload)


async def through_unit(svc: Harness, tree: Tree, app: dict[str, Any]) -> dict[str, Any]:
    """NAT-5: publicity recorded on the submission day, unit approval the day after it ends."""
    unit = svc.token("unit", tree.school, ["unit_review"])
    r = await post(svc, f"/api/v1/applications/{app['id']}/publicity", unit)
    assert r.status_code == 200, r.text
    svc.clock.set(datetime(2026, 6, 8, 9, tzinfo=CHINA_TZ))
    r = await decide(svc, r.json(), tree.school, "unit_review")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def office_approved(svc: Harness, tree: Tree, token: str, **overrides: Any) -> dict[str, Any]:
    r = await post(svc, "/api/v1/applications", token, application(**overrides))
    assert r.status_code == 201, r.text
    await pass_checks(svc, r.json())
    app = (await get(svc, f"/api/v1/applications/{r.json()['id']}", token)).json()
    app = await through_unit(svc, tree, app)
    for org, role in ((tree.dept, "department_review"), (tree.county, "title_office_review")):
        r = await decide(svc, app, org, role)
        assert r.status_code == 200, r.text
        app = r.json()
    return app


async def stream(svc: Harness, stream_id: str) -> list[tuple[str, dict[str, Any]]]:
    async with svc.runtime.db.read() as conn:
        rows = await conn.execute(
            select(events.c.event_type, events.c.payload)
            .where(events.c.stream_id == stream_id)
            .order_by(events.c.version)
        )
        return [(r.event_type, r.payload) for r in rows]


def csv_file(text: str, name: str = "list.csv") -> dict[str, Any]:
    return {"file": (name, text.encode("utf-8"), "text/csv")}


# -- the policy engine at submission ------------------------------------------------------------------


async def test_submission_appends_eligibility_assessed_and_serves_the_report(svc: Harness, tree: Tree) -> None:
    """EligibilityAssessed in the submission's transaction; GET …/eligibility lists every rule with
    its outcome and a Chinese explanation ending with the rule ID."""
    token = applicant(svc, tree)
    body = application(
        papers=[paper(journal="中华护理杂志", cn_number="CN11-2234/R", published_on="2020-05-01")],
        education={"level": "bachelor"},
        current_title={"level": "junior", "obtained_on": "2019-07-01"},
    )
    r = await post(svc, "/api/v1/applications", token, body)
    assert r.status_code == 201, r.text
    app = r.json()
    types = [t for t, _ in await stream(svc, app["id"])]
    assert types == ["ApplicationSubmitted", "PaperCheckRequested", "EligibilityAssessed"]
    assert app["eligible"] is True and app["failed_rules"] == []
    report = (await get(svc, f"/api/v1/applications/{app['id']}/eligibility", token)).json()
    assert report["application_id"] == app["id"] and report["eligible"] is True
    by_rule = {o["rule_id"]: o for o in report["outcomes"]}
    assert by_rule["POL-PA-1"]["outcome"] == "pass"
    assert by_rule["POL-PA-4"]["outcome"] == "warn"  # waits for plagiarism-service
    assert all(o["explanation_zh"].endswith(f"（{o['rule_id']}）。") for o in report["outcomes"])
    other = svc.token("o", tree.other_school, ["unit_review"])
    assert (await get(svc, f"/api/v1/applications/{app['id']}/eligibility", other)).status_code == 403


async def test_pol_pa_3_ineligible_application_is_accepted_with_the_report(svc: Harness, tree: Tree) -> None:
    """Decision: an ineligible application is accepted (201) with its report, for the unit to see
    and return; offices find it by the failed rule ID."""
    token = applicant(svc, tree)
    body = application(papers=[paper(journal="陇东教育研究", cn_number="CN62-9001/G4", journal_level="provincial")])
    r = await post(svc, "/api/v1/applications", token, body)
    assert r.status_code == 201, r.text
    app = r.json()
    assert app["status"] == "submitted" and app["eligible"] is False
    assert "POL-PA-3" in app["failed_rules"]
    listed = await get(svc, "/api/v1/applications", office(svc, tree), failed_rule="POL-PA-3", year=2026)
    assert app["id"] in [a["id"] for a in listed.json()["items"]]
    eligible_only = await get(svc, "/api/v1/applications", office(svc, tree), eligible=True)
    assert app["id"] not in [a["id"] for a in eligible_only.json()["items"]]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"work": {"rural_months": -1}}, "work.rural_months"),
        ({"current_title": {"level": "junior", "obtained_on": "2026-06-02"}}, "current_title.obtained_on"),
        (
            {"skill_certificates": [{"grade": "technician", "obtained_on": "2027-01-01", "matching_work_months": 3}]},
            "skill_certificates.0.obtained_on",
        ),
        (
            {"awards": [{"title": "x", "year": 2027, "programme": "p", "kind": "commendation", "level": "city"}]},
            "awards.0.year",
        ),
        (
            {
                "expert_recommendation": {
                    "applied_in_writing": True,
                    "employer_agreed": True,
                    "blind_approvals": 4,
                    "blind_total": 3,
                }
            },
            "expert_recommendation",
        ),
        (
            {
                "three_long_two_outstanding": {
                    "grassroots_years": -2,
                    "tenure_years": 1,
                    "years_at_one_post_level": 1,
                    "outstanding_before_current_title": True,
                    "outstanding_since_current_title": True,
                }
            },
            "three_long_two_outstanding.grassroots_years",
        ),
    ],
)
async def test_bad_facts_get_problem_json_naming_the_field(
    svc: Harness, tree: Tree, overrides: dict[str, Any], field: str
) -> None:
    token = applicant(svc, tree)
    r = await post(svc, "/api/v1/applications", token, application(**overrides))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == field
    mine = (await get(svc, "/api/v1/applications", token)).json()["items"]
    assert mine == []  # nothing half-written


async def test_pol_gr_2_and_pol_en_4_annotations_reach_application_pushed(svc: Harness, tree: Tree) -> None:
    """POL-GR-2 "乡村不受指标限制" and POL-EN-4's off-staff note travel in ApplicationPushed.annotations."""
    token = applicant(svc, tree)
    app = await office_approved(
        svc,
        tree,
        token,
        work={"rural_months": 21 * 12, "hard_remote_area": True},
        staff_status="off_staff",
        off_staff_stated_by_employer=True,
    )
    svc.clock.set(datetime(2026, 12, 1, 9, tzinfo=CHINA_TZ))
    body = {"year": 2026, "series": "卫生系列", "level": "intermediate", "application_ids": [app["id"]]}
    r = await post(svc, "/api/v1/pushes", office(svc, tree), body)
    assert r.status_code == 201, r.text
    pushed = next(p for t, p in await stream(svc, app["id"]) if t == "ApplicationPushed")
    assert "乡村不受指标限制" in pushed["annotations"]
    assert any("编外" in a for a in pushed["annotations"])
    # The roster (花名册) of the batch, for the pushing office and those above only.
    roster = await get(svc, f"/api/v1/pushes/{r.json()['id']}/roster.xlsx", office(svc, tree))
    assert roster.status_code == 200, roster.text
    sheet = load_workbook(io.BytesIO(roster.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("序号", "姓名") and rows[1][1] == "测试" and "乡村不受指标限制" in rows[1][9]
    unit = svc.token("u", tree.school, ["unit_review"])
    assert (await get(svc, f"/api/v1/pushes/{r.json()['id']}/roster.xlsx", unit)).status_code == 403


# -- registries -----------------------------------------------------------------------------------------


async def test_registries_are_seeded_and_read_by_everyone_signed_in(svc: Harness, tree: Tree) -> None:
    token = applicant(svc, tree)
    journals = (await get(svc, "/api/v1/registries/journals", token)).json()["items"]
    assert any(j["cn_number"] == "CN11-2234/R" for j in journals)
    assert (await get(svc, "/api/v1/registries/blacklist", token)).status_code == 403
    assert (await get(svc, "/api/v1/registries/nope", token)).status_code == 404


async def test_pol_er_3_blacklisted_applicant_is_refused_at_submission(svc: Harness, tree: Tree) -> None:
    """POL-ER-3: the city office imports the blacklist (CSV); a listed person's submission is 422
    and nothing is written; a county office cannot maintain registries."""
    person = id_card("62082119750505123")
    csv = f"身份证号码,姓名,列入原因,列入日期,移出日期\n{person},钱某,举荐材料弄虚作假,2026-01-10,\n"
    r = await svc.client.post(
        "/api/v1/registries/blacklist/import",
        files=csv_file(csv),
        data={"mode": "merge"},
        headers=auth(office(svc, tree)),
    )
    assert r.status_code == 403 and r.json()["code"] == "not_city_title_office"
    r = await svc.client.post(
        "/api/v1/registries/blacklist/import",
        files=csv_file(csv),
        data={"mode": "merge"},
        headers=auth(city_office(svc, tree)),
    )
    assert r.status_code == 200, r.text
    token = applicant(svc, tree, person)
    r = await post(svc, "/api/v1/applications", token, application())
    assert r.status_code == 422 and r.json()["code"] == "research_integrity_blacklisted"
    assert (await get(svc, "/api/v1/applications", token)).json()["items"] == []


@pytest.mark.parametrize(
    ("registry", "text", "row", "column"),
    [
        ("journals", "cn_number,name\nCN62-1026/G4,甘肃教育\nnot-a-cn,某刊\n", 3, "cn_number"),
        (
            "blacklist",
            "id_card_number,name,reason,listed_on\n620802198001010016,李某,x,2020-01-01\n",
            2,
            "id_card_number",
        ),
        ("retained_programmes", "programme,first_year\n劳动模范,-3\n", 2, "first_year"),
        ("frontline_rosters", "roster_id,set_by,filed_by,members\nR1,nobody,某县,\n", 2, "set_by"),
        ("journals", "cn_number,name,colour\n", 1, "colour"),
    ],
)
async def test_malformed_registry_file_is_422_naming_row_and_column(
    svc: Harness, tree: Tree, registry: str, text: str, row: int, column: str
) -> None:
    token = city_office(svc, tree)
    before = (await get(svc, f"/api/v1/registries/{registry}", token)).json()["items"]
    r = await svc.client.post(f"/api/v1/registries/{registry}/import", files=csv_file(text), headers=auth(token))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert (r.json()["row"], r.json()["column"]) == (row, column)
    assert (await get(svc, f"/api/v1/registries/{registry}", token)).json()["items"] == before


async def test_journal_registry_excel_import_export_round_trip_changes_pol_pa_1(svc: Harness, tree: Tree) -> None:
    """An .xlsx import (replace) is what the engine reads next: a journal made core for 2025 passes POL-PA-1."""
    token = city_office(svc, tree)
    book = Workbook()
    sheet = book.active
    sheet.append(["国内统一刊号", "刊名", "核心期刊年份", "省权威期刊", "新闻出版署公布", "电子期刊"])
    sheet.append(["cn 62-1105/r", "甘肃医药", "2024-2025", "否", "是", "否"])
    sheet.append(["CN11-2234/R", "中华护理杂志", "2000-2025", "否", "是", "否"])
    out = io.BytesIO()
    book.save(out)
    files = {"file": ("journals.xlsx", out.getvalue(), "application/octet-stream")}
    r = await svc.client.post(
        "/api/v1/registries/journals/import", files=files, data={"mode": "replace"}, headers=auth(token)
    )
    assert r.status_code == 200 and r.json()["imported"] == 2, r.text
    exported = await get(svc, "/api/v1/registries/journals/export", token, format="xlsx")
    rows = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert rows[1][:3] == ("CN11-2234/R", "中华护理杂志", ";".join(str(y) for y in range(2000, 2026)))
    csv = (await get(svc, "/api/v1/registries/journals/export", token, format="csv")).content.decode("utf-8-sig")
    assert "CN62-1105/R,甘肃医药,2024;2025" in csv
    app = (
        await post(
            svc,
            "/api/v1/applications",
            applicant(svc, tree),
            application(papers=[paper(journal="甘肃医药", cn_number="CN62-1105/R", published_on="2025-03-01")]),
        )
    ).json()
    report = (await get(svc, f"/api/v1/applications/{app['id']}/eligibility", token)).json()
    assert next(o for o in report["outcomes"] if o["rule_id"] == "POL-PA-1")["outcome"] == "pass"
    # One entry by the API, then removed.
    r = await svc.client.put("/api/v1/registries/bridged_fields/entries", json={"field": "测绘"}, headers=auth(token))
    assert r.status_code == 200, r.text
    assert (
        await svc.client.delete("/api/v1/registries/bridged_fields/entries/测绘", headers=auth(token))
    ).status_code == 204
    types = [t for t, _ in await stream(svc, "registry-journals")]
    assert types[-1] == "RegistryEntriesImported"


async def test_sched4_office_publishes_another_years_schedule_without_a_code_change(svc: Harness, tree: Tree) -> None:
    """SCHED-4: a published 2027 schedule governs 2027 (SCHED-1 month, SCHED-2 flag); 2026 keeps 2021's."""
    token = city_office(svc, tree)
    body = {
        "series": [
            {"series": "卫生系列(含基层有效)", "push_month": 9, "grassroots": True},
            {"series": "会计系列", "push_month": 10},
        ]
    }
    r = await svc.client.put("/api/v1/schedules/2027", json=body, headers=auth(token))
    assert r.status_code == 200, r.text
    months = {s["series"]: s["push_month"] for s in (await svc.client.get("/api/v1/schedules/2027")).json()["series"]}
    assert months == {"卫生系列": 9, "会计系列": 10}
    assert {s["series"]: s["push_month"] for s in (await svc.client.get("/api/v1/schedules/2026")).json()["series"]}[
        "卫生系列"
    ] == 12
    r = await post(svc, "/api/v1/applications", applicant(svc, tree), application(year=2027, series="工程系列"))
    assert r.status_code == 422 and r.json()["code"] == "unknown_series"
    csv = "系列（专业）,推送月份,含基层有效\n工程系列,13,否\n"
    r = await svc.client.post("/api/v1/schedules/2028/import", files=csv_file(csv), headers=auth(token))
    assert r.status_code == 422 and (r.json()["row"], r.json()["column"]) == (2, "push_month")
    unit = svc.token("u", tree.school, ["title_office_review"])
    assert (await svc.client.put("/api/v1/schedules/2027", json=body, headers=auth(unit))).status_code == 403


# -- drafts, withdrawal, return and resubmission ------------------------------------------------------


async def test_draft_is_private_editable_and_submitted_later(svc: Harness, tree: Tree) -> None:
    token = applicant(svc, tree)
    r = await post(svc, "/api/v1/applications", token, application(submit=False, papers=[]))
    assert r.status_code == 201, r.text
    draft = r.json()
    assert draft["status"] == "draft" and draft["eligible"] is None
    assert (await get(svc, f"/api/v1/applications/{draft['id']}", office(svc, tree))).status_code == 404
    assert draft["id"] not in [
        a["id"] for a in (await get(svc, "/api/v1/applications", office(svc, tree))).json()["items"]
    ]
    assert (await get(svc, f"/api/v1/applications/{draft['id']}/eligibility", token)).json()[
        "code"
    ] == "eligibility_not_assessed"
    r = await svc.client.put(
        f"/api/v1/applications/{draft['id']}", json=application(specialty="护理", papers=[paper()]), headers=auth(token)
    )
    assert r.status_code == 200 and r.json()["specialty"] == "护理", r.text
    someone = applicant(svc, tree)
    assert (await post(svc, f"/api/v1/applications/{draft['id']}/submit", someone)).status_code == 403
    r = await post(svc, f"/api/v1/applications/{draft['id']}/submit", token)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "submitted" and r.json()["current_step"] == "unit" and r.json()["eligible"] is not None
    types = [t for t, _ in await stream(svc, draft["id"])]
    assert types == [
        "ApplicationDrafted",
        "ApplicationEdited",
        "ApplicationSubmitted",
        "PaperCheckRequested",
        "EligibilityAssessed",
    ]
    again = await svc.client.put(f"/api/v1/applications/{draft['id']}", json=application(), headers=auth(token))
    assert again.status_code == 409 and again.json()["code"] == "not_editable"


async def test_applicant_withdraws_before_the_office_approves_but_not_after(svc: Harness, tree: Tree) -> None:
    token = applicant(svc, tree)
    app = (await post(svc, "/api/v1/applications", token, application(papers=[]))).json()
    assert (await post(svc, f"/api/v1/applications/{app['id']}/withdraw", applicant(svc, tree))).status_code == 403
    r = await post(svc, f"/api/v1/applications/{app['id']}/withdraw", token, {"reason": "今年不报了"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn", r.text
    assert (await decide(svc, r.json(), tree.school, "unit_review")).json()["code"] == "not_under_review"
    approved = await office_approved(svc, tree, token)
    r = await post(svc, f"/api/v1/applications/{approved['id']}/withdraw", token)
    assert r.status_code == 409 and r.json()["code"] == "not_withdrawable"


async def test_returned_application_is_corrected_and_resubmitted_to_the_unit(svc: Harness, tree: Tree) -> None:
    """Decision: after ApplicationReturned (here by the department) the corrected application starts
    again at the unit; edited papers are checked again (POL-PA-4) and the report is recomputed."""
    token = applicant(svc, tree)
    app = (await post(svc, "/api/v1/applications", token, application())).json()
    app = await through_unit(svc, tree, app)
    r = await decide(svc, app, tree.dept, "department_review", decision="return", opinion="论文期刊信息不全")
    assert r.status_code == 200 and r.json()["status"] == "returned"
    assert (await post(svc, f"/api/v1/applications/{app['id']}/submit", applicant(svc, tree))).status_code == 403
    corrected = application(papers=[paper(title="修改后的论文", cn_number="CN11-2234/R", journal="中华护理杂志")])
    r = await svc.client.put(f"/api/v1/applications/{app['id']}", json=corrected, headers=auth(token))
    assert r.status_code == 200, r.text
    r = await post(svc, f"/api/v1/applications/{app['id']}/submit", token)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "submitted" and body["current_step"] == "unit" and body["publicity_starts_on"] is None
    assert [p["title"] for p in body["papers"]] == ["修改后的论文"] and body["checks"] == {}
    tail = [t for t, _ in await stream(svc, app["id"])][-4:]
    assert tail == ["ApplicationEdited", "ApplicationResubmitted", "PaperCheckRequested", "EligibilityAssessed"]
    assert (await post(svc, f"/api/v1/applications/{app['id']}/submit", token)).json()["code"] == "not_returned"


# -- NAT-5 ----------------------------------------------------------------------------------------------


async def test_nat5_unit_approves_only_after_five_working_days_of_publicity(svc: Harness, tree: Tree) -> None:
    """NAT-5: no publicity → 409; publicity from Monday 1 June 2026: refused on Friday 5 June (the
    5th working day), accepted on Saturday 6 June."""
    app = (await post(svc, "/api/v1/applications", applicant(svc, tree), application(papers=[]))).json()
    r = await decide(svc, app, tree.school, "unit_review")
    assert r.status_code == 409 and r.json()["code"] == "publicity_not_started"
    dept = svc.token("d", tree.dept, ["unit_review"])
    assert (await post(svc, f"/api/v1/applications/{app['id']}/publicity", dept)).status_code == 403
    unit = svc.token("unit", tree.school, ["unit_review"])
    future = await post(svc, f"/api/v1/applications/{app['id']}/publicity", unit, {"starts_on": "2026-06-02"})
    assert future.status_code == 422 and future.json()["field"] == "starts_on"
    r = await post(svc, f"/api/v1/applications/{app['id']}/publicity", unit)
    assert r.status_code == 200 and r.json()["publicity_starts_on"] == "2026-06-01", r.text
    app = r.json()
    svc.clock.set(datetime(2026, 6, 5, 23, 59, tzinfo=CHINA_TZ))
    r = await decide(svc, app, tree.school, "unit_review")
    assert r.status_code == 409 and r.json()["code"] == "publicity_in_progress" and r.json()["last_day"] == "2026-06-05"
    svc.clock.set(datetime(2026, 6, 6, 0, 1, tzinfo=CHINA_TZ))
    r = await decide(svc, app, tree.school, "unit_review")
    assert r.status_code == 200 and r.json()["status"] == "unit_approved", r.text


# -- attachments ----------------------------------------------------------------------------------------


async def test_attachments_by_magic_bytes_size_limit_and_download(svc: Harness, tree: Tree) -> None:
    token = applicant(svc, tree)
    app = (await post(svc, "/api/v1/applications", token, application(papers=[]))).json()
    url = f"/api/v1/applications/{app['id']}/attachments"
    pdf = b"%PDF-1.7\n" + b"0" * 2000
    r = await svc.client.post(url, files={"file": ("证书.pdf", pdf, "application/pdf")}, headers=auth(token))
    assert r.status_code == 201, r.text
    attachment = r.json()
    assert attachment["media_type"] == "application/pdf" and attachment["size"] == len(pdf)
    html = b"<html><script>alert(1)</script></html>"
    r = await svc.client.post(url, files={"file": ("fake.pdf", html, "application/pdf")}, headers=auth(token))
    assert r.status_code == 422 and r.json()["code"] == "attachment_type_not_allowed"
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * (50 * 1024 * 1024)
    r = await svc.client.post(url, files={"file": ("big.png", big, "image/png")}, headers=auth(token))
    assert r.status_code == 413 and r.headers["content-type"].startswith("application/problem+json")
    listed = (await get(svc, url, office(svc, tree))).json()["items"]
    assert [a["attachment_id"] for a in listed] == [attachment["attachment_id"]]
    down = await get(svc, f"{url}/{attachment['attachment_id']}", office(svc, tree))
    assert down.status_code == 200 and down.content == pdf
    assert down.headers["content-type"] == "application/pdf" and down.headers["x-content-type-options"] == "nosniff"
    assert down.headers["content-disposition"].startswith("attachment")
    other = svc.token("o", tree.other_school, ["unit_review"])
    assert (await get(svc, f"{url}/{attachment['attachment_id']}", other)).status_code == 403
    assert (await get(svc, f"{url}/nope", token)).status_code == 404


# -- queries ----------------------------------------------------------------------------------------------


async def test_counts_per_series_and_status_within_the_callers_subtree(svc: Harness, tree: Tree) -> None:
    token = applicant(svc, tree)
    for _ in range(2):
        assert (await post(svc, "/api/v1/applications", token, application(papers=[]))).status_code == 201
    await post(svc, "/api/v1/applications", token, application(papers=[], series="会计系列"))
    counts = (await get(svc, "/api/v1/applications/counts", office(svc, tree), year=2026)).json()
    by = {(i["series"], i["status"]): i["count"] for i in counts["items"]}
    assert by[("卫生系列", "submitted")] == 2 and by[("会计系列", "submitted")] == 1
    elsewhere = await svc.org("title_office", None, "city")
    theirs = (await get(svc, "/api/v1/applications/counts", svc.token("x", elsewhere, ["auditor"]))).json()
    assert theirs["total"] == 0
    listed = await get(svc, "/api/v1/applications", office(svc, tree), county="620821", level="intermediate")
    assert len(listed.json()["items"]) == 3
    assert (await get(svc, "/api/v1/applications", office(svc, tree), county="620802")).json()["items"] == []


def test_attachment_dir_is_never_the_package(tmp_path: Path) -> None:
    """The default attachments directory lies outside the installed package (nothing is served from it)."""
    assert not str(ApplicationSettings().attachments_dir).startswith(str(Path(__file__).parents[2] / "services"))


# -- POL-PA-4: the employer's sealed report for a paper outside the corpus ------------------------------------

PDF = b"%PDF-1.7\n% sealed check report\n" + b"0" * 1000


async def upload_report(svc: Harness, app: dict[str, Any], token: str, **form: Any) -> httpx.Response:
    paper_id = app["papers"][0]["paper_id"]
    data = {"copy_ratio": "0.12", "provider": "中国知网", "report_number": "TMLC2026-0001", "attested": "true"}
    data |= {k: str(v) for k, v in form.items() if k != "file"}
    content = form.get("file", PDF)
    return await svc.client.post(
        f"/api/v1/applications/{app['id']}/papers/{paper_id}/external-report",
        data=data,
        files={"file": ("report.pdf", content, "application/pdf")},
        headers=auth(token),
    )


async def test_pol_pa_4_employer_report_replaces_a_check_that_could_not_run(svc: Harness, tree: Tree) -> None:
    """POL-PA-4: a paper the automatic check refused is checked on the employer's request; its sealed
    report is judged against the same 15% (core) limit, and then the title office may approve."""
    token = applicant(svc, tree)
    app = (await post(svc, "/api/v1/applications", token, application())).json()
    paper_id = app["papers"][0]["paper_id"]
    await svc.feed(
        "plagiarism-service",
        "PaperCheckRejected",
        {
            "check_id": str(uuid.uuid4()),
            "application_id": app["id"],
            "paper_id": paper_id,
            "code": "text_no_content",
            "reason": "论文正文无可比对的文字",
        },
    )
    unit = svc.token("unit-clerk", tree.school, ["applicant_management"])
    r = await upload_report(svc, app, unit, copy_ratio="0.15")  # exactly 15.00% passes
    assert r.status_code == 201, r.text
    assert r.json()["decision"] == "pass" and r.json()["threshold"] == 0.15
    checks = (await get(svc, f"/api/v1/applications/{app['id']}", token)).json()["checks"]
    found = list(checks.values()) if isinstance(checks, dict) else checks
    assert found[0]["decision"] == "pass" and found[0]["source"] == "external_report"


async def test_pol_pa_4_employer_report_over_the_limit_fails_the_paper(svc: Harness, tree: Tree) -> None:
    """POL-PA-4: 15.01% in a core journal's report fails, as it would in the automatic check."""
    app = (await post(svc, "/api/v1/applications", applicant(svc, tree), application())).json()
    unit = svc.token("unit-clerk", tree.school, ["unit_review"])
    r = await upload_report(svc, app, unit, copy_ratio="0.1501")
    assert r.status_code == 201 and r.json()["decision"] == "fail"


async def test_pol_pa_4_employer_report_is_refused_when_not_allowed(svc: Harness, tree: Tree) -> None:
    """POL-PA-4: only the applicant's employer, attested, as a PDF, and never over an automatic verdict."""
    app = (await post(svc, "/api/v1/applications", applicant(svc, tree), application())).json()
    unit = svc.token("unit-clerk", tree.school, ["unit_review"])
    unattested = await upload_report(svc, app, unit, attested="false")
    assert unattested.status_code == 422 and unattested.json()["field"] == "attested"
    not_pdf = await upload_report(svc, app, unit, file=b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    assert not_pdf.status_code == 422 and not_pdf.json()["code"] == "report_must_be_pdf"
    other_unit = svc.token("other-clerk", tree.other_school, ["unit_review"])
    assert (await upload_report(svc, app, other_unit)).status_code in (403, 404)
    wrong_role = svc.token("pusher", tree.school, ["push"])
    assert (await upload_report(svc, app, wrong_role)).status_code == 403
    await pass_checks(svc, app)
    already = await upload_report(svc, app, unit)
    assert already.status_code == 409 and already.json()["code"] == "paper_already_checked"
