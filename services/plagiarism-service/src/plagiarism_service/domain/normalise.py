"""Text normalisation for matching, keeping a map back to the original text.

Every original character is mapped on its own (NFKC → OpenCC t2s → lower case → drop punctuation,
symbols, whitespace and control characters).  Mapping per character keeps the offset map exact and,
more importantly, makes the mapping of a character independent of its neighbours, so a copied span
normalises to the same string in the submitted paper and in the source whatever surrounds it.
The per-character results are cached, so after warm-up normalising is a dictionary lookup per char.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import opencc

__all__ = ["Normalised", "normalise", "normalise_key", "normalise_text"]

_T2S = opencc.OpenCC("t2s")
# original character -> its normalised form ("" when dropped, 1 char usually, 2+ for e.g. "㎏" -> "kg")
_CHAR_MAP: dict[str, str] = {}
# the same map as a str.translate table (None: dropped), for normalising without offsets at C speed
_TABLE: dict[int, str | None] = {}
# Unicode general categories removed for matching: punctuation (P*), separators/whitespace (Z*),
# control/format/unassigned (C*) and symbols (S*: ASCII +<=>|~$^`, ※, ★, °, …).
_DROPPED_CATEGORIES = frozenset("PZCS")


@dataclass(frozen=True, slots=True)
class Normalised:
    """Normalised text; ``offsets[i]`` is the index in the original text of normalised char ``i``."""

    text: str
    offsets: list[int]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` covering normalised ``[start, end)`` (``end`` exclusive, non-empty)."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"bad normalised span [{start}, {end}) for length {len(self.text)}")
        return self.offsets[start], self.offsets[end - 1] + 1


def _to_simplified(ch: str) -> str:
    if ord(ch) < 0x2E80:  # nothing below the CJK radicals block has a t2s mapping
        return ch
    converted: str = _T2S.convert(ch)
    return converted if len(converted) == 1 else ch


def _map_char(ch: str) -> str:
    out: list[str] = []
    for c in unicodedata.normalize("NFKC", ch):
        for lc in _to_simplified(c).lower():
            if unicodedata.category(lc)[0] not in _DROPPED_CATEGORIES:
                out.append(lc)
    return "".join(out)


def _learn(chars: set[str]) -> None:
    for ch in chars:
        mapped = _map_char(ch)
        _CHAR_MAP[ch] = mapped
        _TABLE[ord(ch)] = mapped or None


def normalise(text: str) -> Normalised:
    """Normalise ``text`` for matching; see the module docstring for the steps."""
    cache = _CHAR_MAP
    _learn(set(text).difference(cache))
    mapped = [cache[ch] for ch in text]
    # ``for _ in m`` repeats the original index once per produced char (0 times for dropped chars)
    offsets = [i for i, m in enumerate(mapped) for _ in m]
    return Normalised("".join(mapped), offsets)


def normalise_key(text: str) -> str:
    """Comparison key for titles and author names (normalised text without offsets)."""
    return normalise(text).text


def normalise_text(text: str) -> str:
    """``normalise(text).text`` without the offset map: one ``str.translate``, for bulk indexing."""
    missing = set(text).difference(_CHAR_MAP)
    if missing:
        _learn(missing)
    return text.translate(_TABLE)
