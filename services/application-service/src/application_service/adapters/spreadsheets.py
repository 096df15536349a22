"""CSV and Excel (openpyxl) in and out: rows of cells, nothing about what the rows mean.

In: an import is bounded before anything is parsed — the .xlsx's zip directory (total uncompressed size,
compression ratio, number of entries and sheets) — and while it is read: rows, columns, characters
per cell (finding 25). Out: a cell is never a formula (a text beginning with = + - @ is written with a
leading apostrophe, as Excel shows typed text) and never holds a control character (finding 18)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from zhicheng_kernel.errors import InvalidInput

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 50_000
MAX_COLUMNS = 64
MAX_CELL_CHARS = 2_000
MAX_SHEETS = 20
MAX_ZIP_ENTRIES = 200
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200  # a sheet of real text compresses 5–20 times; a zip bomb thousands of times

_FORMULA_STARTS = ("=", "+", "-", "@")
_CONTROL = {c: None for c in range(32) if chr(c) not in "\t\n\r"} | {0x7F: None}


def _refuse(code: str, message: str) -> InvalidInput:
    return InvalidInput(code, message, field="file")


def _check_zip(content: bytes) -> None:
    """The zip's directory, before one byte is inflated: entries, sheets, total size and ratio."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _refuse("file_unreadable", f"无法读取 Excel 文件：{exc}") from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise _refuse(
            "file_too_many_parts", f"Excel 文件的组成部分超过 {MAX_ZIP_ENTRIES} 个，请另存为普通工作簿后再导入。"
        )
    sheets = [e for e in entries if e.filename.startswith("xl/worksheets/") and e.filename.endswith(".xml")]
    if len(sheets) > MAX_SHEETS:
        raise _refuse("file_too_many_sheets", f"Excel 文件的工作表超过 {MAX_SHEETS} 个，请只保留要导入的工作表。")
    total = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries)
    if total > MAX_UNCOMPRESSED_BYTES or total > MAX_COMPRESSION_RATIO * max(packed, 1):
        raise _refuse(
            "file_too_large_uncompressed",
            f"Excel 文件解压后过大（不得超过 {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB，"
            f"压缩比不得超过 {MAX_COMPRESSION_RATIO}），请检查文件后重新导入。",
        )


def _bounded(rows: Iterable[Sequence[Any]]) -> list[list[Any]]:
    """The rows, refused as soon as one is too many, too wide or holds a too long cell."""
    out: list[list[Any]] = []
    for row in rows:
        if len(out) > MAX_ROWS:
            raise _refuse("file_too_many_rows", f"文件超过 {MAX_ROWS} 行。")
        values = list(row)
        # Trailing empty cells of a formatted sheet are not columns.
        width = next((i + 1 for i in range(len(values) - 1, -1, -1) if values[i] not in (None, "")), 0)
        if width > MAX_COLUMNS:
            raise _refuse("file_too_many_columns", f"第 {len(out) + 1} 行超过 {MAX_COLUMNS} 列。")
        if any(isinstance(v, str) and len(v) > MAX_CELL_CHARS for v in values):
            raise _refuse("file_cell_too_long", f"第 {len(out) + 1} 行有单元格超过 {MAX_CELL_CHARS} 个字符。")
        out.append(values)
    return out


def read_rows(content: bytes, filename: str = "") -> list[list[Any]]:
    """An .xlsx (recognised by its zip signature, not its name) or a CSV in UTF-8 or GB18030, bounded
    (finding 25)."""
    if content.startswith(b"PK\x03\x04"):
        _check_zip(content)
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError) as exc:
            raise InvalidInput("file_unreadable", f"无法读取 Excel 文件：{exc}", field="file") from None
        try:
            if len(book.sheetnames) > MAX_SHEETS:
                raise _refuse(
                    "file_too_many_sheets", f"Excel 文件的工作表超过 {MAX_SHEETS} 个，请只保留要导入的工作表。"
                )
            sheet = book.worksheets[0]
            # Rows come padded to the sheet's declared width: never wider than one column past the bound.
            declared = sheet.max_column if isinstance(sheet.max_column, int) else MAX_COLUMNS + 1
            width = max(1, min(declared, MAX_COLUMNS + 1))
            return _bounded(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1, max_col=width))
        finally:
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
        try:
            return _bounded(csv.reader(io.StringIO(text)))
        except csv.Error as exc:
            raise _refuse("file_unreadable", f"无法读取 CSV 文件：{exc}") from None


def safe_cell(value: Any) -> Any:
    """A cell as text a spreadsheet shows and never evaluates (finding 18): control characters dropped,
    a text that would start a formula (= + - @, also after leading tabs or line breaks) kept as text
    behind an apostrophe. Numbers, dates and None are written as they are."""
    if not isinstance(value, str):
        return value
    text = value.translate(_CONTROL)
    if text.lstrip("\t\r\n ").startswith(_FORMULA_STARTS):
        return "'" + text.lstrip("\t\r\n")
    return text


def _safe_row(row: Sequence[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


def write_csv(headings: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_safe_row(headings))
    writer.writerows(_safe_row(row) for row in rows)
    return out.getvalue().encode("utf-8-sig")  # with a BOM, so Excel opens it as UTF-8


def write_xlsx(title: str, headings: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _sheet_title(title)
    sheet.append(_safe_row(headings))
    for row in rows:
        sheet.append(_safe_row(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    """A sheet name Excel accepts: no control characters nor any of []:*?/\\, at most 31 characters."""
    cleaned = "".join(ch for ch in title.translate(_CONTROL) if ch not in "[]:*?/\\")
    return cleaned[:31] or "Sheet1"
