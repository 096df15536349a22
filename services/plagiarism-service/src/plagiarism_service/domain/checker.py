"""The plagiarism check: the four ratios of a CNKI report and the matched passages.

Ratios are fractions of ``checked_chars``: the number of normalised characters of the submitted
text without its reference list.  Each has CNKI's meaning:

* ``total_copy_ratio`` (总文字复制比) — every matched character (quotations and own publications included);
* ``copy_ratio_excluding_quotes`` (去除引用文献复制比) — matched characters outside the quotations
  :mod:`.exclusions` accepts (delimited, bounded, cited);
* ``copy_ratio_excluding_own`` (去除本人已发表文献复制比) — matched characters credited to a source that
  is not one of the authors' own earlier publications; quotations STILL count;
* ``max_single_source_ratio`` (单篇最大文字复制比) — the largest share credited to a single source.

This service measures; it decides nothing.  application-service decides POL-PA-4 on the ratio the
city office chose for the year and the journal's level as its registries judge it.

Sources considered (issue 12, finding 6: nothing the applicant typed decides these):

* sources published after ``sources_until`` are ignored — a date the service trusts (when the paper
  entered the system, or a registry's), never the publication date the applicant typed;
* own publications are the corpus sources registered to the paper's owner account
  (``owner_sources``, decided by the service layer from account ids) — reported with ``own=True`` but
  not counted in ``copy_ratio_excluding_own``; author NAMES decide nothing;
* the paper itself is an own publication with the same normalised title or an identical normalised
  text, and is ignored; anyone else's identical text is copying.

Crediting: a query character matched by several sources is credited to one.  Matches are taken
greedily, longest first; matches from third-party sources go before own publications so that text
the authors re-used from their own paper that was itself copied from someone else still counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol, cast

from zhicheng_kernel.paper_limits import JournalLevel

from .alignment import (
    DEFAULT_MAX_GAP,
    DEFAULT_MAX_OCCURRENCES,
    DEFAULT_MIN_LENGTH,
    MergedMatch,
    align,
    kgram_positions,
)
from .corpus import (
    DEFAULT_MIN_SHARED,
    DEFAULT_TOP_N,
    Candidate,
    CorpusDocument,
    CorpusIndex,
    SourceProfile,
    normalised_body,
)
from .exclusions import DEFAULT_MAX_QUOTE_CHARS, find_exclusions
from .fingerprints import DEFAULT_K
from .normalise import Normalised

__all__ = [
    "CheckInput",
    "CheckParams",
    "CheckResult",
    "CheckStopped",
    "JournalLevel",
    "Passage",
    "SearchableIndex",
    "brute_force_check",
    "check",
]


class SearchableIndex(Protocol):
    """What :func:`check` needs of an index: the in-memory CorpusIndex or the on-disk DiskIndex."""

    @property
    def k(self) -> int: ...

    def kgram_hashes(self, normalised_text: str) -> list[int]: ...

    def candidates(
        self,
        query_hashes: Iterable[int],
        *,
        top_n: int = ...,
        min_shared: int = ...,
        accept: Callable[[CorpusDocument, SourceProfile], bool] | None = None,
    ) -> list[Candidate]: ...

    def get(self, external_id: str) -> CorpusDocument | None: ...

    def profile(self, external_id: str) -> SourceProfile: ...

    def documents(self) -> Iterable[CorpusDocument]: ...


@dataclass(frozen=True, slots=True)
class CheckInput:
    text: str
    title: str
    authors: tuple[str, ...]
    journal_level: JournalLevel | None = None  # as the requester claimed it; kept with the check, decides nothing
    published_on: date | None = None  # as the requester claimed it; kept with the check, decides nothing
    sources_until: date | None = None  # sources published later are ignored (a date the service trusts)
    owner_sources: frozenset[str] = frozenset()  # external ids of the owner's registered publications


class CheckStopped(Exception):
    """The check ran out of its time budget (``should_stop`` answered True) and was abandoned."""


@dataclass(frozen=True, slots=True)
class CheckParams:
    max_gap: int = DEFAULT_MAX_GAP
    min_match_length: int = DEFAULT_MIN_LENGTH
    top_n: int = DEFAULT_TOP_N
    min_shared: int = DEFAULT_MIN_SHARED
    max_occurrences: int = DEFAULT_MAX_OCCURRENCES
    max_quote_chars: int = DEFAULT_MAX_QUOTE_CHARS  # the longest passage that can be a quotation


@dataclass(frozen=True, slots=True)
class Passage:
    """A credited passage; offsets are ORIGINAL-text character indices, ``end`` exclusive."""

    start: int
    end: int
    source_external_id: str
    source_start: int
    source_end: int
    quoted: bool
    own: bool


@dataclass(frozen=True, slots=True)
class CheckResult:
    total_copy_ratio: float
    copy_ratio_excluding_quotes: float
    copy_ratio_excluding_own: float
    max_single_source_ratio: float
    passages: list[Passage] = field(default_factory=list)
    checked_chars: int = 0  # the denominator: normalised chars without the reference list
    matched_chars: int = 0
    counted_chars: int = 0  # the numerator of copy_ratio_excluding_own (credited to third parties)


@dataclass(frozen=True, slots=True)
class _Query:
    input: CheckInput
    body: Normalised
    quoted_mask: bytes  # per normalised char: 1 if inside a quotation (see .exclusions)
    profile: SourceProfile


@dataclass(frozen=True, slots=True)
class _Source:
    doc: CorpusDocument
    body: Normalised
    own: bool


def _prepare(query: CheckInput, params: CheckParams) -> _Query:
    exclusions = find_exclusions(query.text, params.max_quote_chars)
    body = normalised_body(query.text)
    original_mask = bytearray(exclusions.reference_start)
    for start, end in exclusions.quoted:
        original_mask[start:end] = b"\x01" * (end - start)
    quoted_mask = bytes(original_mask[o] for o in body.offsets)
    return _Query(query, body, quoted_mask, SourceProfile.of(query.title, query.authors, body))


def _relation(query: _Query, doc: CorpusDocument, profile: SourceProfile) -> Literal["skip", "own", "other"]:
    paper = query.input
    if paper.sources_until is not None and doc.published_on is not None and doc.published_on > paper.sources_until:
        return "skip"
    if doc.external_id not in paper.owner_sources:
        return "other"
    if query.body.text and profile.body_digest == query.profile.body_digest:
        return "skip"
    if profile.title_key and profile.title_key == query.profile.title_key:
        return "skip"
    return "own"


def _spans(mask: bytes | bytearray, start: int, end: int, value: int) -> list[tuple[int, int]]:
    """Maximal sub-spans of ``[start, end)`` where ``mask`` equals ``value`` (0 or 1)."""
    spans: list[tuple[int, int]] = []
    other = 1 - value
    pos = start
    while pos < end:
        a = mask.find(value, pos, end)
        if a < 0:
            break
        b = mask.find(other, a, end)
        b = end if b < 0 else b
        spans.append((a, b))
        pos = b
    return spans


def _never() -> bool:
    return False


def _run(
    query: _Query, sources: list[_Source], params: CheckParams, k: int, should_stop: Callable[[], bool] = _never
) -> CheckResult:
    n = len(query.body.text)
    qtext = query.body.text
    qk = kgram_positions(qtext, k)

    found: list[tuple[bool, int, int, int, MergedMatch]] = []
    for src_idx, src in enumerate(sources):
        if should_stop():
            raise CheckStopped
        for m in align(
            qtext,
            src.body.text,
            k=k,
            max_gap=params.max_gap,
            min_length=params.min_match_length,
            query_kgrams=qk,
            max_occurrences=params.max_occurrences,
        ):
            found.append((src.own, -m.length, src_idx, m.q_start, m))
    found.sort(key=lambda t: (t[0], t[1], sources[t[2]].doc.external_id, t[3], t[4].s_start))

    covered = bytearray(n)
    counted = bytearray(n)  # matched and credited to a third-party source (quoted or not)
    per_source: dict[str, int] = {}
    passages: list[Passage] = []
    for own, _neg_len, src_idx, _q, m in found:
        src = sources[src_idx]
        ext = src.doc.external_id
        for a, b in _spans(covered, m.q_start, m.q_end, 0):
            covered[a:b] = b"\x01" * (b - a)
            per_source[ext] = per_source.get(ext, 0) + (b - a)
            if not own:
                counted[a:b] = b"\x01" * (b - a)
            for quoted in (False, True):
                for qa, qb in _spans(query.quoted_mask, a, b, int(quoted)):
                    sa, sb = m.source_span(qa, qb)
                    start, end = query.body.original_span(qa, qb)
                    s_start, s_end = src.body.original_span(sa, sb)
                    passages.append(Passage(start, end, ext, s_start, s_end, quoted, own))
    passages.sort(key=lambda p: (p.start, p.end, p.source_external_id))

    matched = n - covered.count(0)
    quoted_matched = sum(1 for i in range(n) if covered[i] and query.quoted_mask[i]) if matched else 0
    counted_chars = counted.count(1)
    if n:
        ratios = (
            matched / n,
            (matched - quoted_matched) / n,
            counted_chars / n,
            max(per_source.values(), default=0) / n,
        )
    else:
        ratios = (0.0, 0.0, 0.0, 0.0)
    return CheckResult(
        total_copy_ratio=ratios[0],
        copy_ratio_excluding_quotes=ratios[1],
        copy_ratio_excluding_own=ratios[2],
        max_single_source_ratio=ratios[3],
        passages=passages,
        checked_chars=n,
        matched_chars=matched,
        counted_chars=counted_chars,
    )


def check(
    query: CheckInput,
    index: SearchableIndex,
    params: CheckParams | None = None,
    *,
    should_stop: Callable[[], bool] = _never,
) -> CheckResult:
    """Check ``query`` against the indexed corpus (candidates first, then exact alignment).

    ``should_stop`` is asked between the stages and before each source is aligned: when it answers
    True the check raises :class:`CheckStopped` (a time budget kept by the caller)."""
    params = params or CheckParams()
    prepared = _prepare(query, params)
    if should_stop():
        raise CheckStopped

    def accept(doc: CorpusDocument, profile: SourceProfile) -> bool:
        return _relation(prepared, doc, profile) != "skip"

    candidates = index.candidates(
        index.kgram_hashes(prepared.body.text),
        top_n=params.top_n,
        min_shared=params.min_shared,
        accept=accept,
    )
    sources: list[_Source] = []
    for cand in candidates:
        doc = index.get(cand.external_id)
        assert doc is not None
        own = _relation(prepared, doc, index.profile(cand.external_id)) == "own"
        sources.append(_Source(doc, normalised_body(doc.text), own))
    return _run(prepared, sources, params, index.k, should_stop)


def brute_force_check(
    query: CheckInput,
    documents: Iterable[CorpusDocument] | CorpusIndex | SearchableIndex,
    params: CheckParams | None = None,
    *,
    k: int | None = None,
) -> CheckResult:
    """Like :func:`check` but aligns against every document (no fingerprints, no top-N, no df cut)."""
    params = params or CheckParams()
    if not isinstance(documents, list | tuple) and hasattr(documents, "kgram_hashes"):
        index = cast(SearchableIndex, documents)
        k = index.k if k is None else k
        documents = list(index.documents())
    k = DEFAULT_K if k is None else k
    prepared = _prepare(query, params)
    sources: list[_Source] = []
    for doc in sorted(documents, key=lambda d: d.external_id):
        body = normalised_body(doc.text)
        relation = _relation(prepared, doc, SourceProfile.of(doc.title, doc.authors, body))
        if relation != "skip":
            sources.append(_Source(doc, body, relation == "own"))
    return _run(prepared, sources, params, k)
