"""Bounded, clean inputs: the text and numbers a request may carry, in one home for every service.

PostgreSQL refuses NUL in text and integers beyond 64 bits; people's names must not hide control,
bidirectional or zero-width characters (a name that reads the same but compares differently lets
one person register twice). Every request field that holds text a person typed uses one of these
types with its own `max_length`; every integer a query carries has both bounds.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator, StringConstraints

# Characters no name, title or reason may hold: C0/C1 controls (NUL included), the bidirectional
# marks and overrides, zero-width characters and the BOM. Line breaks are allowed only in `MultilineText`.
_BIDI_AND_INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064"
    "\u2066\u2067\u2068\u2069\ufeff\u00ad\u180e"
)


def invisible_characters(value: str, *, allow_newlines: bool = False) -> list[str]:
    """The characters of `value` a clean text may not hold, as U+XXXX (empty when it is clean)."""
    bad: list[str] = []
    for ch in value:
        if allow_newlines and ch in "\n\r\t":
            continue
        if ch in _BIDI_AND_INVISIBLE or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            bad.append(f"U+{ord(ch):04X}")
    return bad


def _clean(value: str, *, allow_newlines: bool) -> str:
    value = unicodedata.normalize("NFC", value)
    bad = invisible_characters(value, allow_newlines=allow_newlines)
    if bad:
        # pydantic turns a ValueError into a 422 naming the field; the kernel's handler writes it in Chinese.
        raise ValueError(f"含有不可见或控制字符（{'、'.join(sorted(set(bad))[:5])}），请删除后重新输入")
    return value


def _clean_line(value: str) -> str:
    return _clean(value, allow_newlines=False)


def _clean_multiline(value: str) -> str:
    return _clean(value, allow_newlines=True)


# A one-line text (a name, a title, a number): NFC, stripped, no control/bidi/zero-width characters.
# Combine with a bound: `Annotated[CleanText, StringConstraints(min_length=1, max_length=100)]`.
CleanText = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_clean_line)]
# A text that may span lines (a reason, an opinion): as CleanText, line breaks and tabs allowed.
MultilineText = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_clean_multiline)]

# Bounds of numbers that reach the database from a query string.
MIN_YEAR = 1990
MAX_YEAR = 2100
MAX_OFFSET = 1_000_000
MAX_PAGE_SIZE = 500

YearQuery = Annotated[int, Query(ge=MIN_YEAR, le=MAX_YEAR, description="年度")]
OptionalYearQuery = Annotated[int | None, Query(ge=MIN_YEAR, le=MAX_YEAR, description="年度")]
OffsetQuery = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="跳过的条数")]
LimitQuery = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="每页条数")]
