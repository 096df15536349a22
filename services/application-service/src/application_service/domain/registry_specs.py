"""The registries the city office maintains, as column specs: one parser for the API, CSV and Excel.

A file's first row names the columns (the English name or the Chinese heading); every later row is
one entry. A bad cell is refused with its row number (as the office sees it in Excel, header = 1)
and its column, and nothing of the file is taken.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from zhicheng_kernel.errors import InvalidInput
from zhicheng_kernel.identifiers import id_card_is_valid, normalise_id_card
from zhicheng_kernel.inputs import invisible_characters

from .policy.model import EDUCATION_ORDER, LEVEL_ORDER
from .policy.registries import normalise_cn
from .schedule import normalise_series

_TRUE = {"是", "true", "1", "yes", "y", "t", "√"}
_FALSE = {"否", "false", "0", "no", "n", "f", "×", ""}


class CellError(ValueError):
    pass


MAX_CELL_CHARS = 2_000  # = adapters/spreadsheets.MAX_CELL_CHARS: a cell typed in a form or read from a file


def _clean_cell(text: str) -> str:
    """A cell's text as CleanText would take it: NFC, no control, bidi or zero-width characters, bounded."""
    text = unicodedata.normalize("NFC", text)
    if len(text) > MAX_CELL_CHARS:
        raise CellError(f"不能超过 {MAX_CELL_CHARS} 个字符")
    if invisible_characters(text):
        raise CellError("含有不可见或控制字符，请删除后重新输入")
    return text


def _text(raw: str) -> str:
    if not raw:
        raise CellError("不能为空")
    return raw


def _opt_text(raw: str) -> str:
    return raw


def _bool(raw: str) -> bool:
    folded = raw.lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise CellError("应填“是”或“否”")


def _opt_bool(raw: str) -> bool | None:
    return _bool(raw) if raw else None


def _int(raw: str) -> int:
    try:
        value = int(float(raw)) if re.fullmatch(r"-?\d+(\.0+)?", raw) else int(raw)
    except ValueError:
        raise CellError("应为整数") from None
    if value < 0:
        raise CellError("不能为负数")
    return value


def _opt_int(raw: str) -> int | None:
    return _int(raw) if raw else None


def _year(raw: str) -> int:
    value = _int(raw)
    if not 1949 <= value <= 2100:
        raise CellError("年份不正确")
    return value


def _opt_year(raw: str) -> int | None:
    return _year(raw) if raw else None


def _month(raw: str) -> int:
    value = _int(raw)
    if not 1 <= value <= 12:
        raise CellError("月份应为 1–12")
    return value


def _date(raw: str) -> str:
    try:
        return date.fromisoformat(raw[:10]).isoformat()
    except ValueError:
        raise CellError("日期格式应为 YYYY-MM-DD") from None


def _opt_date(raw: str) -> str | None:
    return _date(raw) if raw else None


def _years(raw: str) -> list[int]:
    """ "2018-2021;2023" → [2018, 2019, 2020, 2021, 2023]."""
    out: set[int] = set()
    for part in re.split(r"[;；,，、\s]+", raw):
        if not part:
            continue
        bounds = part.split("-")
        if len(bounds) == 1:
            out.add(_year(bounds[0]))
        elif len(bounds) == 2:
            first, last = _year(bounds[0]), _year(bounds[1])
            if last < first:
                raise CellError("年份区间应从小到大")
            out.update(range(first, last + 1))
        else:
            raise CellError("年份应写作 2018-2021;2023")
    return sorted(out)


def _cn(raw: str) -> str:
    cn = normalise_cn(raw)
    if cn is None:
        raise CellError("不是有效的国内统一连续出版物号（CN）")
    return cn


def _id_card(raw: str) -> str:
    number = normalise_id_card(raw)
    if not id_card_is_valid(number):
        raise CellError("身份证号码不正确")
    return number


def _id_cards(raw: str) -> list[str]:
    return sorted({_id_card(p) for p in re.split(r"[;；,，、\s]+", raw) if p})


def _choice(options: Sequence[str]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in options:
            raise CellError("取值应为 " + "/".join(options))
        return raw

    return parse


def _series(raw: str) -> str:
    """A series' name as the schedule keys it; a name that is only spaces and the grassroots mark is none."""
    name = normalise_series(_text(raw))
    if not name:
        raise CellError("应填写系列（专业）名称，不能只有“(含基层有效)”标记")
    return name


@dataclass(frozen=True)
class Column:
    name: str
    heading_zh: str
    parse: Callable[[str], Any]
    default: str = ""  # the raw text used when the column is absent from a file

    def render(self, value: Any) -> str:
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, list):
            if value and all(isinstance(v, int) for v in value):
                return ";".join(str(v) for v in value)
            return ";".join(str(v) for v in value)
        return "" if value is None else str(value)


@dataclass(frozen=True)
class RegistrySpec:
    name: str
    title_zh: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    def key_of(self, entry: Mapping[str, Any]) -> str:
        return "|".join(str(entry[k]) for k in self.key)

    def parse_entry(self, cells: Mapping[str, Any], *, row: int | None = None) -> dict[str, Any]:
        """One entry from raw cells; a bad cell → 422 naming its row (when from a file) and column."""
        entry: dict[str, Any] = {}
        for col in self.columns:
            raw = cells.get(col.name)
            text = col.default if raw is None else _cell_text(raw)
            try:
                entry[col.name] = col.parse(_clean_cell(text))
            except CellError as exc:
                where = f"第{row}行“{col.heading_zh}”（{col.name}）" if row else f"“{col.heading_zh}”"
                raise InvalidInput(
                    "registry_cell_invalid",
                    f"{self.title_zh}：{where}{exc}。",
                    field=col.name if row is None else "file",
                    extra={"row": row, "column": col.name, "value": text[:200]},
                ) from None
        return entry

    def parse_rows(self, rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
        """A header row, then entries; duplicate keys and unknown columns are refused."""
        it = iter(rows)
        header = next(it, None)
        if header is None:
            raise InvalidInput("registry_file_empty", f"{self.title_zh}：文件为空。", field="file")
        names = self._header(header)
        entries: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        for number, values in enumerate(it, start=2):
            cells = {n: v for n, v in zip(names, values, strict=False) if n}
            if all(_cell_text(v) == "" for v in cells.values()):
                continue  # blank rows at the end of a sheet
            entry = self.parse_entry(cells, row=number)
            key = self.key_of(entry)
            if key in seen:
                raise InvalidInput(
                    "registry_duplicate_entry",
                    f"{self.title_zh}：第{number}行与第{seen[key]}行重复（{key}）。",
                    field="file",
                    extra={"row": number, "column": self.key[0]},
                )
            seen[key] = number
            entries.append(entry)
        return entries

    def _header(self, header: Sequence[Any]) -> list[str | None]:
        by_heading = {c.heading_zh: c.name for c in self.columns} | {c.name: c.name for c in self.columns}
        names: list[str | None] = []
        for index, raw in enumerate(header, start=1):
            text = _cell_text(raw)
            if not text:
                names.append(None)
                continue
            if text not in by_heading:
                raise InvalidInput(
                    "registry_unknown_column",
                    f"{self.title_zh}：第1行第{index}列“{text}”不是本名录的列。",
                    field="file",
                    extra={"row": 1, "column": text},
                )
            names.append(by_heading[text])
        missing = [c.name for c in self.columns if c.name in self.key and c.name not in names]
        if missing:
            raise InvalidInput(
                "registry_column_missing",
                f"{self.title_zh}：缺少必需的列“{missing[0]}”。",
                field="file",
                extra={"row": 1, "column": missing[0]},
            )
        return names

    def headings(self) -> list[str]:
        return [c.heading_zh for c in self.columns]

    def render(self, entry: Mapping[str, Any]) -> list[str]:
        return [c.render(entry.get(c.name)) for c in self.columns]


def _cell_text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, date):
        return raw.isoformat()[:10]
    return str(raw).strip()


LEVELS = tuple(LEVEL_ORDER)

JOURNALS = RegistrySpec(
    "journals",
    "期刊名录",
    ("cn_number",),
    (
        Column("cn_number", "国内统一刊号", _cn),
        Column("name", "刊名", _text),
        Column("core_years", "核心期刊年份", _years),
        Column("provincial_authoritative", "省权威期刊", _bool, "否"),
        Column("press_listed", "新闻出版署公布", _bool, "是"),
        Column("electronic", "电子期刊", _bool, "否"),
    ),
)
RETAINED_PROGRAMMES = RegistrySpec(
    "retained_programmes",
    "保留的表彰奖励项目",
    ("programme",),
    (
        Column("programme", "项目名称", _text),
        Column("first_year", "起始年份", _year),
        Column("last_year", "截止年份", _opt_year),
    ),
)
BRIDGED_FIELDS = RegistrySpec("bridged_fields", "技能贯通领域", ("field",), (Column("field", "领域", _text),))
FRONTLINE_ROSTERS = RegistrySpec(
    "frontline_rosters",
    "疫情防控一线人员名单",
    ("roster_id",),
    (
        Column("roster_id", "名单编号", _text),
        Column("medical", "医疗卫生人员", _bool, "否"),
        Column("set_by", "确定单位类别", _choice(("county_district", "city_department", "employer", "other"))),
        Column("with_employer", "会同用人单位", _bool, "是"),
        Column("reviewed_by_city_health", "市卫健委审核", _bool, "否"),
        Column("filed_with_provincial_health", "省卫健委备案", _bool, "否"),
        Column("filed_by", "报送单位", _text),
        Column("members", "人员身份证号", _id_cards),
    ),
)
BLACKLIST = RegistrySpec(
    "blacklist",
    "科研诚信黑名单",
    ("id_card_number",),
    (
        Column("id_card_number", "身份证号码", _id_card),
        Column("name", "姓名", _text),
        Column("reason", "列入原因", _text),
        Column("listed_on", "列入日期", _date),
        Column("expires_on", "移出日期", _opt_date),
    ),
)
LEVEL_REQUIREMENTS = RegistrySpec(
    "level_requirements",
    "各系列申报条件",
    ("series", "level"),
    (
        Column("series", "系列", _series),
        Column("level", "级别", _choice(LEVELS)),
        Column("min_education", "最低学历", _choice(tuple(EDUCATION_ORDER))),
        Column("min_years_in_lower_title", "低一级职称年限", _int),
        # POL-EX-1 "具体按各系列条件标准要求执行": empty = the notice's one year at the lower post.
        Column("min_months_at_lower_post", "破格低一级岗位聘用月数", _opt_int),
        # Empty = the usual standard: a paper for deputy-senior and senior titles, none below.
        Column("paper_required", "须提交论文", _opt_bool),
    ),
)
SCHEDULE = RegistrySpec(
    "schedule",
    "职称申报推送时间安排",
    ("series",),
    (
        Column("series", "系列（专业）", _series),
        Column("push_month", "推送月份", _month),
        Column("grassroots", "含基层有效", _bool, "否"),
    ),
)

REGISTRIES: dict[str, RegistrySpec] = {
    s.name: s for s in (JOURNALS, RETAINED_PROGRAMMES, BRIDGED_FIELDS, FRONTLINE_ROSTERS, BLACKLIST, LEVEL_REQUIREMENTS)
}
