"""The city office's registries (journals, blacklist, rosters … by entry or CSV/Excel file) and yearly
push schedules (SCHED-4), and what the rules read from them (POL-PA-1, POL-ER-3)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from zhicheng_kernel.identifiers import id_card_with_check

from tests.application.conftest import (
    Harness,
    Tree,
    applicant,
    application,
    auth,
    city_office,
    csv_file,
    get,
    office,
    paper,
    post,
)

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def svc(svc_with_publicity: Harness) -> Harness:
    return svc_with_publicity


async def test_registries_are_seeded_and_read_by_everyone_signed_in(svc: Harness, tree: Tree) -> None:
    token = await applicant(svc, tree)
    journals = (await get(svc, "/api/v1/registries/journals", token)).json()["items"]
    assert any(j["cn_number"] == "CN11-2234/R" for j in journals)
    assert (await get(svc, "/api/v1/registries/blacklist", token)).status_code == 403
    assert (await get(svc, "/api/v1/registries/nope", token)).status_code == 404


async def test_pol_er_3_blacklisted_applicant_is_refused_at_submission(svc: Harness, tree: Tree) -> None:
    """POL-ER-3: the city office imports the blacklist (CSV); a listed person's submission is 422
    and nothing is written; a county office cannot maintain registries."""
    person = id_card_with_check("62082119750505123")
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
    token = await applicant(svc, tree, person)
    r = await post(svc, "/api/v1/applications", token, application())
    assert r.status_code == 422 and r.json()["code"] == "research_integrity_blacklisted"
    assert (await get(svc, "/api/v1/applications", token)).json()["items"] == []


async def test_a_registrys_entries_page_on_the_server_filtered_by_a_word(svc: Harness, tree: Tree) -> None:
    token = city_office(svc, tree)
    fields = [f"浏览器分页测试领域{i:02d}" for i in range(5)]
    path = "/api/v1/registries/bridged_fields"
    for field in fields:
        r = await svc.client.put(f"{path}/entries", json={"field": field}, headers=auth(token))
        assert r.status_code == 200, r.text
    first = (await svc.client.get(path, params={"q": "浏览器分页", "limit": 2}, headers=auth(token))).json()
    assert (first["total"], first["offset"], first["limit"]) == (5, 0, 2)
    assert [e["field"] for e in first["items"]] == fields[:2]  # in key order
    rest = (await svc.client.get(path, params={"q": "浏览器分页", "limit": 2, "offset": 4}, headers=auth(token))).json()
    assert rest["total"] == 5 and [e["field"] for e in rest["items"]] == fields[4:]
    everything = (await svc.client.get(path, headers=auth(token))).json()
    assert everything["total"] >= 5 and everything["limit"] == 100
    none = (await svc.client.get(path, params={"q": "100%_无此领域"}, headers=auth(token))).json()
    assert none == {**none, "items": [], "total": 0}  # % and _ are the word's, not wildcards
    # Bounded: no window beyond the kernel's limits, no word longer than 100 characters.
    for params in ({"offset": -1}, {"limit": 0}, {"limit": 501}, {"q": "字" * 101}):
        r = await svc.client.get(path, params=params, headers=auth(token))
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), params


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
            await applicant(svc, tree),
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
    types = [t for t, _ in await svc.stream_events("registry-journals")]
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
    r = await post(svc, "/api/v1/applications", await applicant(svc, tree), application(year=2027, series="工程系列"))
    assert r.status_code == 422 and r.json()["code"] == "unknown_series"
    csv = "系列（专业）,推送月份,含基层有效\n工程系列,13,否\n"
    r = await svc.client.post("/api/v1/schedules/2028/import", files=csv_file(csv), headers=auth(token))
    assert r.status_code == 422 and (r.json()["row"], r.json()["column"]) == (2, "push_month")
    unit = svc.token("u", tree.school, ["title_office_review"])
    assert (await svc.client.put("/api/v1/schedules/2027", json=body, headers=auth(unit))).status_code == 403
    r = await svc.client.put("/api/v1/schedules/2027", json=body, headers=auth(office(svc, tree)))
    assert r.status_code == 403 and r.json()["code"] == "not_city_title_office" and r.json()["rule"] == "SCHED-4"


async def test_registry_entry_whose_key_holds_a_slash_is_read_replaced_and_deleted(svc: Harness, tree: Tree) -> None:
    """Issue 9, point 14: every real CN number holds a "/" (CN62-1105/R); its journal entry is read,
    replaced and deleted by its key, with the slash as is or percent-encoded."""
    token = city_office(svc, tree)
    journal = {"cn_number": "CN62-1105/R", "name": "甘肃医药", "core_years": "2024-2025"}
    assert (await svc.client.put("/api/v1/registries/journals/entries", json=journal, headers=auth(token))).is_success
    r = await get(svc, "/api/v1/registries/journals/entries/CN62-1105/R", await applicant(svc, tree))
    assert r.status_code == 200 and r.json()["name"] == "甘肃医药", r.text
    r = await svc.client.put(
        "/api/v1/registries/journals/entries/CN62-1105%2FR",
        json={"name": "甘肃医药", "core_years": "2025", "provincial_authoritative": "是"},
        headers=auth(token),
    )
    assert r.status_code == 200 and r.json()["cn_number"] == "CN62-1105/R", r.text
    seen = (await get(svc, "/api/v1/registries/journals/entries/CN62-1105%2FR", token)).json()
    assert seen["core_years"] == [2025] and seen["provincial_authoritative"] is True
    r = await svc.client.put(
        "/api/v1/registries/journals/entries/CN62-1105/R",
        json={"cn_number": "CN11-2234/R", "name": "中华护理杂志"},
        headers=auth(token),
    )
    assert r.status_code == 422 and r.json()["code"] == "registry_key_mismatch", r.text
    deleted = await svc.client.delete("/api/v1/registries/journals/entries/CN62-1105/R", headers=auth(token))
    assert deleted.status_code == 204, deleted.text
    r = await get(svc, "/api/v1/registries/journals/entries/CN62-1105/R", token)
    assert r.status_code == 404 and r.json()["code"] == "registry_entry_not_found"
    r = await svc.client.put("/api/v1/registries/journals/entries/CN62-1105/R", json=journal, headers=auth(token))
    assert r.status_code == 404  # replacing needs an entry; recording a new one is PUT …/entries
    assert (await svc.client.put("/api/v1/registries/journals/entries", json=journal, headers=auth(token))).is_success
