"""Exact alignment of two normalised texts: maximal common substrings, bridged across small gaps.

1. Seeds: every pair of equal k-grams (compared as strings, so no hash collisions).  K-grams that
   occur more than ``max_occurrences`` times in the query (degenerate runs such as ``0000000000``) are
   not used as seeds; matches through them are still found by extension from other seeds.
2. Each seed is extended left and right to a maximal exact match; seeds inside a match already found on
   the same diagonal are skipped, so every maximal common substring of length >= k is found once.
3. Exact matches are chained in query order when the next one starts at most ``max_gap`` characters
   after the chain ends in BOTH texts (overlaps of up to ``max_gap`` also chain).  This bridges a
   substituted, inserted or deleted character or few; the chain covers the gap.
4. Chains shorter than ``min_length`` query characters are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from .fingerprints import DEFAULT_K

__all__ = [
    "DEFAULT_MAX_GAP",
    "DEFAULT_MAX_OCCURRENCES",
    "DEFAULT_MIN_LENGTH",
    "ExactMatch",
    "MergedMatch",
    "align",
    "exact_matches",
    "kgram_positions",
    "merge_matches",
]

DEFAULT_MAX_GAP = 4
DEFAULT_MIN_LENGTH = 13
DEFAULT_MAX_OCCURRENCES = 64


@dataclass(frozen=True, slots=True)
class ExactMatch:
    """``query[q_start:q_start+length] == source[s_start:s_start+length]``, maximal."""

    q_start: int
    s_start: int
    length: int

    @property
    def q_end(self) -> int:
        return self.q_start + self.length

    @property
    def s_end(self) -> int:
        return self.s_start + self.length


@dataclass(frozen=True, slots=True)
class MergedMatch:
    """A chain of exact matches: query ``[q_start, q_end)`` ~ source ``[s_start, s_end)``."""

    q_start: int
    q_end: int
    s_start: int
    s_end: int
    pieces: tuple[ExactMatch, ...]

    @property
    def length(self) -> int:
        return self.q_end - self.q_start

    def source_span(self, q_from: int, q_to: int) -> tuple[int, int]:
        """Source span corresponding to the query sub-span ``[q_from, q_to)`` of this match."""
        s_from = self.s_start
        for p in self.pieces:
            if p.q_end > q_from:
                s_from = p.s_start + max(0, q_from - p.q_start)
                break
        s_to = self.s_end
        for p in reversed(self.pieces):
            if p.q_start < q_to:
                s_to = p.s_start + min(p.length, q_to - p.q_start)
                break
        s_from = min(max(s_from, self.s_start), self.s_end - 1)
        s_to = max(min(s_to, self.s_end), s_from + 1)
        return s_from, s_to


def kgram_positions(text: str, k: int = DEFAULT_K) -> dict[str, list[int]]:
    """Map every k-gram of ``text`` to its start positions."""
    positions: dict[str, list[int]] = {}
    for i in range(len(text) - k + 1):
        gram = text[i : i + k]
        found = positions.get(gram)
        if found is None:
            positions[gram] = [i]
        else:
            found.append(i)
    return positions


def exact_matches(
    query: str,
    source: str,
    k: int = DEFAULT_K,
    *,
    query_kgrams: dict[str, list[int]] | None = None,
    max_occurrences: int = DEFAULT_MAX_OCCURRENCES,
) -> list[ExactMatch]:
    """All maximal common substrings of length >= ``k``, sorted by ``(q_start, s_start)``.

    Pass ``query_kgrams=kgram_positions(query, k)`` to reuse it across sources."""
    qk = kgram_positions(query, k) if query_kgrams is None else query_kgrams
    seeds: list[tuple[int, int]] = []
    for j in range(len(source) - k + 1):
        hits = qk.get(source[j : j + k])
        if hits is not None and len(hits) <= max_occurrences:
            seeds.extend((i, j) for i in hits)
    if not seeds:
        return []
    seeds.sort()
    nq, ns = len(query), len(source)
    reach: dict[int, int] = {}  # diagonal (q - s) -> query end of the last match found on it
    found: list[ExactMatch] = []
    for i, j in seeds:
        d = i - j
        if i < reach.get(d, -1):
            continue
        a, b = i, j
        while a > 0 and b > 0 and query[a - 1] == source[b - 1]:
            a -= 1
            b -= 1
        e = i + k
        while e < nq and e - d < ns and query[e] == source[e - d]:
            e += 1
        reach[d] = e
        found.append(ExactMatch(a, b, e - a))
    found.sort(key=lambda m: (m.q_start, m.s_start))
    return found


@dataclass(slots=True)
class _Chain:
    pieces: list[ExactMatch]
    q_end: int
    s_end: int


def merge_matches(matches: list[ExactMatch], max_gap: int = DEFAULT_MAX_GAP) -> list[MergedMatch]:
    """Chain exact matches (sorted by ``(q_start, s_start)``) across gaps of at most ``max_gap``."""
    open_chains: list[_Chain] = []
    closed: list[_Chain] = []
    for m in matches:
        still_open: list[_Chain] = []
        for c in open_chains:
            (still_open if c.q_end + max_gap >= m.q_start else closed).append(c)
        open_chains = still_open
        best: _Chain | None = None
        best_cost = 0
        for c in open_chains:
            last = c.pieces[-1]
            gap_q = m.q_start - c.q_end
            gap_s = m.s_start - c.s_end
            if (
                -max_gap <= gap_q <= max_gap
                and -max_gap <= gap_s <= max_gap
                and m.q_start > last.q_start
                and m.s_start > last.s_start
                and m.q_end > c.q_end
                and m.s_end > c.s_end
            ):
                cost = abs(gap_q - gap_s)
                if best is None or cost < best_cost:
                    best, best_cost = c, cost
        if best is None:
            open_chains.append(_Chain([m], m.q_end, m.s_end))
        else:
            best.pieces.append(m)
            best.q_end = m.q_end
            best.s_end = m.s_end
    closed.extend(open_chains)
    merged = [
        MergedMatch(
            q_start=c.pieces[0].q_start,
            q_end=c.q_end,
            s_start=min(p.s_start for p in c.pieces),
            s_end=c.s_end,
            pieces=tuple(c.pieces),
        )
        for c in closed
    ]
    merged.sort(key=lambda mm: (mm.q_start, mm.s_start))
    return merged


def align(
    query: str,
    source: str,
    *,
    k: int = DEFAULT_K,
    max_gap: int = DEFAULT_MAX_GAP,
    min_length: int = DEFAULT_MIN_LENGTH,
    query_kgrams: dict[str, list[int]] | None = None,
    max_occurrences: int = DEFAULT_MAX_OCCURRENCES,
) -> list[MergedMatch]:
    """Merged matches of at least ``min_length`` query characters between two normalised texts."""
    exact = exact_matches(query, source, k, query_kgrams=query_kgrams, max_occurrences=max_occurrences)
    return [m for m in merge_matches(exact, max_gap) if m.length >= min_length]
