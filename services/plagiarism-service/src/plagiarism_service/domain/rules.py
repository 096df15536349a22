"""What the service accepts as a text to check or to index; each refusal is a DomainError (HTTP 422).

PostgreSQL refuses NUL and lone surrogates in text and jsonb, and the matcher has nothing to say
about a text without letters or digits, so such input is refused here, at the edge, with a Chinese
message naming the field — never as a server error further in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date

from zhicheng_kernel.errors import InvalidInput
from zhicheng_kernel.paper_limits import MAX_COPY_RATIO_PERCENT, JournalLevel

from .checker import CheckInput

MAX_TEXT_CHARS = 1_000_000
MAX_TITLE_CHARS = 500
MAX_AUTHORS = 50
MAX_AUTHOR_CHARS = 100
EXTERNAL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,99}")
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def is_binary(ch: str) -> bool:
    category = unicodedata.category(ch)
    return (category == "Cc" and ch not in _ALLOWED_CONTROLS) or category == "Cs"


def clean_line(value: str, field: str, label: str, *, max_chars: int, required: bool = True) -> str:
    """A title or a name: no control characters, at most ``max_chars``, trimmed."""
    if any(is_binary(ch) for ch in value):
        raise InvalidInput("invalid_characters", f"{label}含有控制字符或无法识别的字符。", field=field)
    value = value.strip()
    if required and not value:
        raise InvalidInput("required", f"{label}不能为空。", field=field)
    if len(value) > max_chars:
        raise InvalidInput("too_long", f"{label}过长（最多 {max_chars} 个字符）。", field=field)
    return value


def clean_authors(authors: Sequence[str], field: str = "authors") -> tuple[str, ...]:
    if len(authors) > MAX_AUTHORS:
        raise InvalidInput("too_many_authors", f"作者最多 {MAX_AUTHORS} 位。", field=field)
    cleaned = [
        clean_line(a, f"{field}.{i}", "作者姓名", max_chars=MAX_AUTHOR_CHARS, required=False)
        for i, a in enumerate(authors)
    ]
    return tuple(a for a in cleaned if a)


def clean_text(text: str, field: str = "text") -> str:
    """A paper's full text: not empty, at most 1,000,000 characters, not binary, with real content."""
    if not text.strip():
        raise InvalidInput("text_empty", "论文正文不能为空。", field=field)
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(
            "text_too_long", f"论文正文过长（最多 {MAX_TEXT_CHARS:,} 个字符），请分段提交。", field=field
        )
    if any(is_binary(ch) for ch in text):
        raise InvalidInput("text_binary", "论文正文含有控制字符，疑似二进制文件，请粘贴或上传纯文本。", field=field)
    if not any(ch.isalnum() for ch in text):
        raise InvalidInput("text_no_content", "论文正文只有标点或符号，没有可检测的文字。", field=field)
    return text


def journal_level(value: str | None, field: str = "journal_level") -> JournalLevel | None:
    """The level the requester claims, kept with the check: core or provincial (the two levels POL-PA-4
    sets a limit for), or none. It decides nothing here: application-service judges the journal."""
    if value is None:
        return None
    if value not in MAX_COPY_RATIO_PERCENT:
        raise InvalidInput(
            "journal_level_unknown",
            "期刊级别只能是 core（核心期刊）或 provincial（省级期刊）。",
            field=field,
            rule="POL-PA-4",
        )
    return value  # type: ignore[return-value]


def external_id(value: str, field: str = "external_id") -> str:
    if not EXTERNAL_ID.fullmatch(value):
        raise InvalidInput(
            "external_id_invalid",
            "文献编号只能由字母、数字和 . _ : - 组成，以字母或数字开头，最多 100 个字符。",
            field=field,
        )
    return value


def check_input(
    text: str, title: str, authors: Sequence[str], level: str | None, published_on: date | None
) -> CheckInput:
    """A submitted paper, validated field by field in the order a form shows them."""
    return CheckInput(
        text=clean_text(text),
        title=clean_line(title, "title", "论文题目", max_chars=MAX_TITLE_CHARS, required=False),
        authors=clean_authors(authors),
        journal_level=journal_level(level),
        published_on=published_on,
    )
