"""Figures per section, as CNKI's report gives them: the paper split at its headings.

A heading is a short line that starts a section: 摘要/关键词/引言/结论/…, a Chinese numbered heading
(一、 二、 …) or an Arabic one (1 / 1.2 / 2．…). The reference list is its own section and is not
counted, as in the paper's figures. Ratios are fractions of the section's normalised characters.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .exclusions import reference_start
from .normalise import normalise

_NAMED = "摘要|摘 要|关键词|关键字|Abstract|引言|前言|绪论|结论|结语|讨论|结果|方法|致谢|参考文献"
_HEADING = re.compile(
    rf"^[ \t　]{{0,8}}(?:(?:{_NAMED})|[一二三四五六七八九十]{{1,3}}[、.．]|\d{{1,2}}(?:[.．]\d{{1,2}})*[、.．\s])",
    re.MULTILINE,
)
_MAX_HEADING_LINE = 40


@dataclass(frozen=True)
class Section:
    title: str
    start: int  # offsets into the submitted text, end exclusive
    end: int


def _line_length(text: str, start: int) -> int:
    end = text.find("\n", start)
    return (end if end != -1 else len(text)) - start


def split_sections(text: str) -> list[Section]:
    starts = [m.start() for m in _HEADING.finditer(text) if _line_length(text, m.start()) <= _MAX_HEADING_LINE]
    if not starts or starts[0] > 0:
        starts.insert(0, 0)
    bounds = [*starts, len(text)]
    sections = []
    for start, end in itertools.pairwise(bounds):
        if end <= start:
            continue
        line_end = text.find("\n", start, end)
        title = text[start : line_end if line_end != -1 else min(end, start + _MAX_HEADING_LINE)].strip()
        sections.append(Section(title[:_MAX_HEADING_LINE] or "（正文）", start, end))
    return sections


def section_figures(text: str, passages: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per section: characters and the total copy ratio, the ratio excluding quotations and the ratio
    excluding the authors' own publications (quotations counted), with the paper's meanings."""
    normalised = normalise(text)
    references_at = reference_start(text)
    # Per character of the submitted text: bit 1 matched, bit 2 quoted, bit 4 credited to an own publication.
    state = bytearray(len(text))
    for p in passages:
        start, end = max(0, int(p["start"])), min(len(text), int(p["end"]))
        flags = 1 | (2 if p.get("quoted") else 0) | (4 if p.get("own") else 0)
        for i in range(start, end):
            state[i] |= flags
    sections = split_sections(text)
    starts = [section.start for section in sections]
    chars = [0] * len(sections)
    matched = [0] * len(sections)
    not_quoted = [0] * len(sections)
    not_own = [0] * len(sections)
    for offset in normalised.offsets:
        k = bisect.bisect_right(starts, offset) - 1
        chars[k] += 1
        flags = state[offset]
        matched[k] += flags & 1
        not_quoted[k] += (flags & 3) == 1
        not_own[k] += (flags & 5) == 1
    figures = []
    for k, section in enumerate(sections):
        in_references = section.start >= references_at

        def ratio(count: int, k: int = k, in_references: bool = in_references) -> float:
            return round(count / chars[k], 4) if chars[k] and not in_references else 0.0

        figures.append(
            {
                "title": section.title,
                "start": section.start,
                "end": section.end,
                "chars": chars[k],
                "counted": not in_references,
                "total_copy_ratio": ratio(matched[k]),
                "copy_ratio_excluding_quotes": ratio(not_quoted[k]),
                "copy_ratio_excluding_own": ratio(not_own[k]),
            }
        )
    return figures
