"""Parts of a paper that are not plain copying, found on the ORIGINAL text.

* the reference list: everything from the last heading line ``参考文献`` / ``References`` (also
  ``參考文獻``, ``Bibliography``, optionally bracketed ``【参考文献】`` and followed by a colon) to the end;
  it is excluded from matching and from the denominator;
* quoted spans: ``“…”``, ``「…」``, ``『…』``, ``"…"`` (also full-width ``＂…＂``), closed on the same line and at
  most ``MAX_QUOTE_CHARS`` long — an unclosed quote does not turn the rest of the paper into a quotation;
* cited sentences: a sentence carrying a citation mark ``[1]``, ``[1,2]``, ``[1-3]`` (also ``［１］``, ``【1】``,
  ``〔1〕``) of which at least one number is an entry of the reference list.  A mark right after a
  sentence terminator (``……所示。[3]``) belongs to the sentence before it.

Quoted spans and cited sentences are returned together as ``quoted`` ranges: they are still matched,
but reported with ``quoted=True`` and not counted in the ratio excluding quotes.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

__all__ = ["MAX_QUOTE_CHARS", "Exclusions", "find_exclusions", "reference_start"]

MAX_QUOTE_CHARS = 2000
_MAX_CITATION_RANGE = 200

_WS = r"[ \t\r\u3000]*"
_REF_HEADING = re.compile(
    rf"^{_WS}[\[【〔(（]?{_WS}(?:主要)?(?:参考文献|參考文獻|references|bibliography|works\s+cited)"
    rf"{_WS}[\]】〕)）]?{_WS}[:：]?{_WS}$",
    re.IGNORECASE | re.MULTILINE,
)
_REF_ENTRY_NUMBER = re.compile(rf"^{_WS}[\[［【〔(（]?{_WS}(\d{{1,4}}){_WS}[\]］】〕)）.．、]", re.MULTILINE)
_QUOTES = re.compile(
    rf"“[^“”\n]{{1,{MAX_QUOTE_CHARS}}}”|「[^「」\n]{{1,{MAX_QUOTE_CHARS}}}」|『[^『』\n]{{1,{MAX_QUOTE_CHARS}}}』"
    rf"|\"[^\"\n]{{1,{MAX_QUOTE_CHARS}}}\"|＂[^＂\n]{{1,{MAX_QUOTE_CHARS}}}＂"
)
_CITATION = re.compile(r"[\[［〔【]\s*(\d{1,4}(?:\s*[,，、\-–—~～]\s*\d{1,4})*)\s*[\]］〕】]")
_CITATION_ITEM = re.compile(r"(\d{1,4})(?:\s*[\-–—~～]\s*(\d{1,4}))?")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]|\.(?=\s|$)")


@dataclass(frozen=True, slots=True)
class Exclusions:
    """Exclusions as original-text offsets (``end`` exclusive).

    ``reference_start`` is ``len(text)`` when there is no reference list.  ``quoted`` is the sorted,
    merged union of ``quotations`` and ``cited_sentences``.
    """

    reference_start: int
    reference_numbers: frozenset[int]
    quotations: tuple[tuple[int, int], ...]
    cited_sentences: tuple[tuple[int, int], ...]
    quoted: tuple[tuple[int, int], ...]


def reference_start(text: str) -> int:
    """Offset of the reference-list heading line, or ``len(text)`` when there is none."""
    last = None
    for last in _REF_HEADING.finditer(text):  # noqa: B007 — we want the last heading
        pass
    return last.start() if last is not None else len(text)


def _reference_numbers(references: str) -> frozenset[int]:
    numbers = {int(m.group(1)) for m in _REF_ENTRY_NUMBER.finditer(references)}
    if numbers:
        return frozenset(numbers)
    lines = [line for line in references.splitlines()[1:] if line.strip()]  # [0] is the heading
    return frozenset(range(1, len(lines) + 1))


def _citation_numbers(mark_body: str) -> set[int]:
    numbers: set[int] = set()
    for m in _CITATION_ITEM.finditer(mark_body):
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) else first
        if first <= last <= first + _MAX_CITATION_RANGE:
            numbers.update(range(first, last + 1))
        else:
            numbers.update((first, last))
    return numbers


def _merge(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def find_exclusions(text: str) -> Exclusions:
    """Find the reference list, quotations and cited sentences of ``text``."""
    ref_start = reference_start(text)
    body = text[:ref_start]
    numbers = _reference_numbers(text[ref_start:]) if ref_start < len(text) else frozenset()

    quotations = [(m.start(), m.end()) for m in _QUOTES.finditer(body)]

    cited: list[tuple[int, int]] = []
    if numbers:
        boundaries = [0, *(m.end() for m in _SENTENCE_END.finditer(body))]
        if boundaries[-1] != len(body):
            boundaries.append(len(body))
        for m in _CITATION.finditer(body):
            if not _citation_numbers(m.group(1)) & numbers:
                continue
            idx = bisect_right(boundaries, m.start()) - 1
            start = boundaries[idx]
            if idx > 0 and not body[start : m.start()].strip():
                # the mark follows a terminator: it cites the sentence before
                cited.append((boundaries[idx - 1], m.end()))
            else:
                end = boundaries[idx + 1] if idx + 1 < len(boundaries) else len(body)
                cited.append((start, max(end, m.end())))

    return Exclusions(
        reference_start=ref_start,
        reference_numbers=numbers,
        quotations=tuple(quotations),
        cited_sentences=_merge(cited),
        quoted=_merge(quotations + cited),
    )
