"""Finding 27 (the API fuzzer): `GET /api/v1/schedules/{year}/export` answered 500 for a year the fuzzer
had published — a series name the fuzzer made up reached the Excel writer, which refuses it. Whatever a
year's published schedule holds, its export is a file (or a 4xx), never a server error."""

from __future__ import annotations

import csv
import io

import pytest
from application_service.adapters import spreadsheets
from application_service.domain.registry_specs import SCHEDULE
from application_service.service_layer import registries as use
from openpyxl import load_workbook

from tests.application.conftest import Harness, Tree, auth, city_office, get

pytestmark = pytest.mark.stack

YEAR = 2093
# Names a fuzzer sends: a formula, punctuation Excel refuses in sheet names, a long one, odd Unicode.
NAMES = ["=1+2", "@SUM(A1)", "[a]:*?/\\", "系" * 100, "𠀀𝔘ǅ", "-", "(含基层有效)卫生"]


def test_finding_27_a_schedule_stored_before_texts_were_clean_still_exports() -> None:
    """Finding 27: a schedule published before request texts were CleanText may hold a control character;
    the Excel writer refused it (IllegalCharacterError → 500). Its export drops the character instead."""
    rows = [{"series": "卫生\x01系列\x1b", "push_month": 5, "grassroots": True}]
    book = load_workbook(io.BytesIO(use.export(SCHEDULE, rows, "xlsx")))
    assert book.active is not None
    assert list(book.active.iter_rows(values_only=True))[1] == ("卫生系列", "5", "是")
    text = use.export(SCHEDULE, rows, "csv").decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1] == ["卫生系列", "5", "是"]
    assert spreadsheets.safe_cell("=1+2") == "'=1+2"


async def test_finding_27_export_of_a_year_published_with_fuzzed_series_names_is_a_file(
    svc: Harness, tree: Tree
) -> None:
    """Finding 27: a year published with the series names a fuzzer makes up exports as Excel and CSV (200,
    the declared content type, every name as text); a name with a control character is refused at publication
    (422), and a name that is only the grassroots mark is no series at all (422)."""
    token = city_office(svc, tree)
    body = {"series": [{"series": name, "push_month": i % 12 + 1} for i, name in enumerate(NAMES)]}
    published = await svc.client.put(f"/api/v1/schedules/{YEAR}", json=body, headers=auth(token))
    assert published.status_code == 200, published.text
    names = [e["series"] for e in published.json()["series"]]

    xlsx = await get(svc, f"/api/v1/schedules/{YEAR}/export", token, format="xlsx")
    assert xlsx.status_code == 200, xlsx.text
    assert xlsx.headers["content-type"] == spreadsheets.XLSX_MEDIA_TYPE
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    exported = [row[0] for row in list(sheet.iter_rows(values_only=True))[1:]]
    assert sorted(str(n).removeprefix("'") for n in exported) == sorted(names)

    as_csv = await get(svc, f"/api/v1/schedules/{YEAR}/export", token, format="csv")
    assert as_csv.status_code == 200, as_csv.text
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert len(list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))) == len(names) + 1

    for bad in ("卫生\x00系列", "卫生\u202e系列", "(含基层有效)", " （含基层有效） "):
        refused = await svc.client.put(
            f"/api/v1/schedules/{YEAR}", json={"series": [{"series": bad, "push_month": 3}]}, headers=auth(token)
        )
        assert refused.status_code == 422, (bad, refused.text)
    still = await get(svc, f"/api/v1/schedules/{YEAR}/export", token, format="csv")
    assert still.status_code == 200
