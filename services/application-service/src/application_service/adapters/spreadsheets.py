"""CSV and Excel (openpyxl) in and out: rows of cells, nothing about what the rows mean."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from zhicheng_kernel.errors import InvalidInput

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 50_000


def read_rows(content: bytes, filename: str = "") -> list[list[Any]]:
    """An .xlsx (recognised by its zip signature, not its name) or a CSV in UTF-8 or GB18030."""
    if content.startswith(b"PK\x03\x04"):
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError) as exc:
            raise InvalidInput("file_unreadable", f"无法读取 Excel 文件：{exc}", field="file") from None
        sheet = book.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1)]
        book.close()
    else:
        if b"\x00" in content[:4096]:
            raise InvalidInput("file_unreadable", "文件应为 CSV 或 Excel（.xlsx）格式。", field="file")
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InvalidInput("file_unreadable", "CSV 文件的字符编码无法识别（应为 UTF-8 或 GB18030）。", field="file")
        rows = [list(row) for row in csv.reader(io.StringIO(text))]
    if len(rows) > MAX_ROWS + 1:
        raise InvalidInput("file_too_many_rows", f"文件超过 {MAX_ROWS} 行。", field="file")
    return rows


def write_csv(headings: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # with a BOM, so Excel opens it as UTF-8


def write_xlsx(title: str, headings: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(list(headings))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
