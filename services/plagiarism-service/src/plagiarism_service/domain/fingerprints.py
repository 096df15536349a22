"""Character k-gram hashing and winnowing (Schleimer, Wilkerson & Aiken 2003).

Hashes are the first 8 bytes of BLAKE2b over the UTF-32-LE encoding of the k-gram: stable across
processes, platforms and Python versions (unlike ``hash()``), so they can be persisted.

The scale index (adapters/disk_index.py) uses a cheaper scheme, :func:`unit_kgram_hashes`: CRC-32 of
every k-gram of UTF-16 code units, computed by C code over byte slices (about ten times faster than
BLAKE2b per k-gram), and only the SET of winnowed hashes per document (:func:`winnowed_set`, a
window minimum computed with ``map(min, …)``) — candidate ranking needs no positions, the exact
alignment finds them.  CRC-32 is stable and 32 bits are enough there: a collision only adds a
spurious shared fingerprint to a candidate's count, never a matched character.

Winnowing guarantee: any common substring of at least ``w + k - 1`` characters (13 with the defaults
k=8, w=6 — the minimum reported match length) shares at least one selected fingerprint.
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import blake2b
from zlib import crc32

__all__ = [
    "DEFAULT_K",
    "DEFAULT_W",
    "fingerprints",
    "kgram_hashes",
    "stable_hash",
    "unit_kgram_hashes",
    "winnow",
    "winnowed_set",
]

DEFAULT_K = 8
DEFAULT_W = 6


def stable_hash(s: str) -> int:
    """Deterministic unsigned 64-bit hash of ``s``."""
    return int.from_bytes(blake2b(s.encode("utf-32-le"), digest_size=8).digest(), "little")


def kgram_hashes(text: str, k: int = DEFAULT_K) -> list[int]:
    """``stable_hash(text[i:i+k])`` for every ``i`` in ``range(len(text) - k + 1)``."""
    if k < 1:
        raise ValueError("k must be positive")
    data = text.encode("utf-32-le")
    width = 4 * k
    from_bytes = int.from_bytes
    return [
        from_bytes(blake2b(data[p : p + width], digest_size=8).digest(), "little")
        for p in range(0, len(data) - width + 1, 4)
    ]


def winnow(hashes: Sequence[int], w: int = DEFAULT_W) -> list[tuple[int, int]]:
    """Robust winnowing: in every window of ``w`` consecutive hashes select the minimum (the rightmost
    one on ties); return each selected ``(hash, position)`` once, in position order.  A sequence shorter
    than one window yields its minimum."""
    if w < 1:
        raise ValueError("w must be positive")
    n = len(hashes)
    if n == 0:
        return []
    if n <= w:
        best = 0
        for j in range(1, n):
            if hashes[j] <= hashes[best]:
                best = j
        return [(hashes[best], best)]
    selected: list[tuple[int, int]] = []
    min_pos = -1
    for end in range(w - 1, n):
        start = end - w + 1
        if min_pos < start:
            best = start
            for j in range(start + 1, end + 1):
                if hashes[j] <= hashes[best]:
                    best = j
            min_pos = best
            selected.append((hashes[best], best))
        elif hashes[end] <= hashes[min_pos]:
            min_pos = end
            selected.append((hashes[end], end))
    return selected


def fingerprints(text: str, k: int = DEFAULT_K, w: int = DEFAULT_W) -> list[tuple[int, int]]:
    """Winnowed ``(hash, position)`` fingerprints of the k-grams of ``text`` (already normalised)."""
    return winnow(kgram_hashes(text, k), w)


def unit_kgram_hashes(text: str, k: int = DEFAULT_K) -> list[int]:
    """CRC-32 of every k-gram of the UTF-16 code units of ``text`` (a non-BMP character counts twice).

    Stable across processes and platforms; a common substring of ``n`` characters has at least
    ``n - k + 1`` common code-unit k-grams, so the winnowing guarantee still holds."""
    if k < 1:
        raise ValueError("k must be positive")
    data = text.encode("utf-16-le")
    width = 2 * k
    return list(map(crc32, [data[p : p + width] for p in range(0, len(data) - width + 1, 2)]))


def winnowed_set(hashes: list[int], w: int = DEFAULT_W) -> set[int]:
    """The set of window minima of ``hashes`` (windows of ``w``), i.e. the winnowed fingerprint values
    without their positions; a sequence shorter than one window gives its minimum."""
    if w < 1:
        raise ValueError("w must be positive")
    if len(hashes) <= w:
        return {min(hashes)} if hashes else set()
    return set(map(min, *[hashes[i:] for i in range(w)]))
