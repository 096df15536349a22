"""Parts of a paper that are not plain copying, found on the ORIGINAL text.

* the reference list: everything from the last heading line ``参考文献`` / ``References`` (also
  ``參考文獻``, ``Bibliography``, optionally bracketed ``【参考文献】`` and followed by a colon) to the end;
  it is excluded from matching and from the denominator;
* quotations, as CNKI's 去除引用文献复制比 leaves them out: a passage is a quotation only when it is

  - delimited: opened and closed by a pair of marks (``“…”``, ``「…」``, ``『…』``, ``"…"``, ``＂…＂``)
    in one paragraph whose marks all balance — a paragraph with one unbalanced mark has no quotation;
    only the outermost pair counts;
  - bounded: at most ``max_quote_chars`` characters between the marks (a setting, 200 by default) — a
    whole copied paragraph in quotation marks is copying, not a quotation;
  - cited: a citation mark (``[3]``, ``[1,2]``, ``[1-3]``, also ``［３］``, ``【1】``, ``〔1〕``) whose
    numbers are all entries of the paper's reference list, right after the closing mark (a comma or
    full stop may sit between) or in the short lead-in before the opening mark (``张三[3]指出：“…”``).

  A sentence carrying a citation but no quotation marks is not a quotation: its copied text counts.

Quotations are returned as ``quoted`` ranges: they are still matched, reported with ``quoted=True`` and
left out of the ratio excluding quotes only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["DEFAULT_MAX_QUOTE_CHARS", "Exclusions", "find_exclusions", "reference_start"]

DEFAULT_MAX_QUOTE_CHARS = 200
_MAX_CITATION_RANGE = 200
_MAX_LEAD_IN = 20  # characters between a citation mark and the opening quotation mark it introduces

# Whitespace is bounded wherever an expression accepts it, and no two quantifiers over the same
# characters sit side by side unbounded: every scan of a text is linear in its length (issue 12,
# finding 1: "参考文献" followed by 20,000 spaces once backtracked for hours holding the interpreter lock).
_SPACES = " \t\r\u3000"
_WS = r"[ \t\r\u3000]{0,4}"
_MAX_HEADING_LINE = 40  # a heading line, surrounding whitespace stripped, is short
_REF_HEADING = re.compile(
    rf"[\[【〔(（]?{_WS}(?:主要)?(?:参考文献|參考文獻|references|bibliography|works{_WS}cited)"
    rf"{_WS}[\]】〕)）]?{_WS}[:：]?",
    re.IGNORECASE,
)
_REF_ENTRY_NUMBER = re.compile(rf"^{_WS}[\[［【〔(（]?{_WS}(\d{{1,4}}){_WS}[\]］】〕)）.．、]", re.MULTILINE)
_CITATION_BODY = r"(\d{1,4}(?:[ \t\u3000]{0,4}[,，、\-–—~～][ \t\u3000]{0,4}\d{1,4}){0,50})"
_CITATION = re.compile(rf"[\[［〔【]{_WS}{_CITATION_BODY}{_WS}[\]］〕】]")
_CITATION_AFTER = re.compile(rf"{_WS}[，。,.；;]?{_WS}[\[［〔【]{_WS}{_CITATION_BODY}{_WS}[\]］〕】]")
_CITATION_ITEM = re.compile(r"(\d{1,4})(?:[ \t\u3000]{0,4}[\-–—~～][ \t\u3000]{0,4}(\d{1,4}))?")
_SENTENCE_END = re.compile(r"[。！？!?；;]")
_OPENING = {"“": "”", "「": "」", "『": "』"}
_CLOSING = {v: k for k, v in _OPENING.items()}
_SYMMETRIC = frozenset('"＂')


@dataclass(frozen=True, slots=True)
class Exclusions:
    """Exclusions as original-text offsets (``end`` exclusive).

    ``reference_start`` is ``len(text)`` when there is no reference list.  ``quoted`` holds the
    quotations that count as such (marks and citation included), sorted and disjoint.
    """

    reference_start: int
    reference_numbers: frozenset[int]
    quoted: tuple[tuple[int, int], ...]


def reference_start(text: str) -> int:
    """Offset of the last reference-list heading line, or ``len(text)`` when there is none.

    One pass over the lines: each line is stripped of its surrounding whitespace and, when short
    enough to be a heading, matched whole against a bounded expression — linear in the text."""
    found = len(text)
    start = 0
    while start <= len(text):
        newline = text.find("\n", start)
        end = len(text) if newline < 0 else newline
        line = text[start:end].strip(_SPACES)
        if line and len(line) <= _MAX_HEADING_LINE and _REF_HEADING.fullmatch(line):
            found = start
        if newline < 0:
            break
        start = newline + 1
    return found


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


def _outer_pairs(line: str) -> list[tuple[int, int]] | None:
    """The outermost quotation-mark pairs of one paragraph as (opening, closing) offsets, or None when
    its marks do not balance."""
    stack: list[tuple[str, int]] = []
    pairs: list[tuple[int, int]] = []
    for i, ch in enumerate(line):
        if ch in _SYMMETRIC:
            if stack and stack[-1][0] == ch:
                _, start = stack.pop()
                if not stack:
                    pairs.append((start, i))
            else:
                stack.append((ch, i))
        elif ch in _OPENING:
            stack.append((ch, i))
        elif ch in _CLOSING:
            if not stack or stack[-1][0] != _CLOSING[ch]:
                return None
            _, start = stack.pop()
            if not stack:
                pairs.append((start, i))
    return None if stack else pairs


def _resolves(mark_body: str, numbers: frozenset[int]) -> bool:
    cited = _citation_numbers(mark_body)
    return bool(cited) and cited <= numbers


def _cited_quotation(line: str, opening: int, closing: int, numbers: frozenset[int]) -> int | None:
    """The end (in ``line``) of the quotation with its citation, or None when it cites nothing listed."""
    after = _CITATION_AFTER.match(line, closing + 1)
    if after is not None and _resolves(after.group(1), numbers):
        return after.end()
    lead_in = line[max(0, opening - _MAX_LEAD_IN) : opening]
    for m in _CITATION.finditer(lead_in):
        if not _SENTENCE_END.search(lead_in, m.end()) and _resolves(m.group(1), numbers):
            return closing + 1
    return None


def find_exclusions(text: str, max_quote_chars: int = DEFAULT_MAX_QUOTE_CHARS) -> Exclusions:
    """Find the reference list and the quotations of ``text`` that CNKI would leave out."""
    ref_start = reference_start(text)
    body = text[:ref_start]
    numbers = _reference_numbers(text[ref_start:]) if ref_start < len(text) else frozenset()
    quoted: list[tuple[int, int]] = []
    if numbers:
        offset = 0
        for line in body.splitlines(keepends=True):
            for opening, closing in _outer_pairs(line) or ():
                if not line[opening + 1 : closing].strip() or closing - opening - 1 > max_quote_chars:
                    continue
                end = _cited_quotation(line, opening, closing, numbers)
                if end is not None:
                    quoted.append((offset + opening, offset + end))
            offset += len(line)
    return Exclusions(reference_start=ref_start, reference_numbers=numbers, quoted=tuple(quoted))
