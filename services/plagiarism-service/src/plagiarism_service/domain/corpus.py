"""Reference corpus documents and the in-memory winnowing index over them."""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from hashlib import blake2b

from .exclusions import reference_start
from .fingerprints import DEFAULT_K, DEFAULT_W, winnow
from .fingerprints import kgram_hashes as _kgram_hashes
from .normalise import Normalised, normalise, normalise_key

__all__ = [
    "DEFAULT_MAX_DF_FRACTION",
    "DEFAULT_MAX_DF_MIN",
    "DEFAULT_MIN_SHARED",
    "DEFAULT_TOP_N",
    "Candidate",
    "CorpusDocument",
    "CorpusIndex",
    "SourceProfile",
    "normalised_body",
]

DEFAULT_MAX_DF_FRACTION = 0.005
DEFAULT_MAX_DF_MIN = 50
# enough for a long paper copied from many sources; candidates need DEFAULT_MIN_SHARED fingerprints
DEFAULT_TOP_N = 100
DEFAULT_MIN_SHARED = 2
_POSITION_BITS = 32
_POSITION_MASK = (1 << _POSITION_BITS) - 1


@dataclass(frozen=True, slots=True)
class CorpusDocument:
    external_id: str
    title: str
    text: str
    authors: tuple[str, ...] = ()
    published_on: date | None = None


def normalised_body(text: str) -> Normalised:
    """Normalised text of ``text`` without its reference list (offsets into ``text``)."""
    return normalise(text[: reference_start(text)])


def _digest(s: str) -> bytes:
    return blake2b(s.encode("utf-8"), digest_size=16).digest()


@dataclass(frozen=True, slots=True)
class SourceProfile:
    """What the checker needs to decide whether a source is the paper itself or an own publication."""

    title_key: str
    author_keys: frozenset[str]
    body_digest: bytes

    @classmethod
    def of(cls, title: str, authors: Iterable[str], body: Normalised) -> SourceProfile:
        return cls.of_text(title, authors, body.text)

    @classmethod
    def of_text(cls, title: str, authors: Iterable[str], body_text: str) -> SourceProfile:
        """Like :meth:`of`, from the normalised body text alone."""
        keys = frozenset(key for key in (normalise_key(a) for a in authors) if key)
        return cls(normalise_key(title), keys, _digest(body_text))


@dataclass(frozen=True, slots=True)
class Candidate:
    external_id: str
    shared: int  # distinct fingerprints of the document found among the query's k-grams


@dataclass(frozen=True, slots=True)
class _Entry:
    doc_no: int
    doc: CorpusDocument
    profile: SourceProfile
    hashes: array[int]  # distinct fingerprint hashes of the document, array('Q'), for remove()


class CorpusIndex:
    """Winnowed fingerprints of the corpus: hash -> postings ``(doc_no << 32) | position``.

    A hash with a single posting is stored as a bare ``int``, otherwise as ``array('Q')`` — most
    fingerprints are unique, so this keeps the index at roughly one dict slot and one int per
    fingerprint.  Positions are k-gram starts in the normalised body (reference list excluded).

    Fingerprints present in more than ``max_df`` documents are skipped at query time (``max_df`` is
    ``max(max_df_min, ceil(max_df_fraction * len(self)))`` unless fixed), so boilerplate shared by
    many papers does not make every paper a candidate.  Not thread-safe for concurrent writes.
    """

    def __init__(
        self,
        *,
        k: int = DEFAULT_K,
        w: int = DEFAULT_W,
        max_df_fraction: float = DEFAULT_MAX_DF_FRACTION,
        max_df_min: int = DEFAULT_MAX_DF_MIN,
        max_df: int | None = None,
    ) -> None:
        if k < 1 or w < 1:
            raise ValueError("k and w must be positive")
        self.k = k
        self.w = w
        self.max_df_fraction = max_df_fraction
        self.max_df_min = max_df_min
        self._fixed_max_df = max_df
        self._postings: dict[int, int | array[int]] = {}
        self._entries: dict[str, _Entry] = {}
        self._by_no: dict[int, _Entry] = {}
        self._next_no = 0

    # -- maintenance ---------------------------------------------------------------------------
    def add(self, doc: CorpusDocument) -> None:
        """Index ``doc``; a document with the same ``external_id`` is replaced."""
        if doc.external_id in self._entries:
            self.remove(doc.external_id)
        doc_no = self._next_no
        if doc_no >> (64 - _POSITION_BITS):
            raise OverflowError("document numbers exhausted")
        self._next_no += 1
        body = normalised_body(doc.text)
        if len(body.text) > _POSITION_MASK:
            raise ValueError("document too long")
        postings = self._postings
        base = doc_no << _POSITION_BITS
        distinct: set[int] = set()
        for h, pos in winnow(_kgram_hashes(body.text, self.k), self.w):
            packed = base | pos
            post = postings.get(h)
            if post is None:
                postings[h] = packed
            elif isinstance(post, int):
                postings[h] = array("Q", (post, packed))
            else:
                post.append(packed)
            distinct.add(h)
        entry = _Entry(doc_no, doc, SourceProfile.of(doc.title, doc.authors, body), array("Q", distinct))
        self._entries[doc.external_id] = entry
        self._by_no[doc_no] = entry

    def remove(self, external_id: str) -> bool:
        """Remove a document; returns whether it was indexed."""
        entry = self._entries.pop(external_id, None)
        if entry is None:
            return False
        del self._by_no[entry.doc_no]
        postings = self._postings
        no = entry.doc_no
        for h in entry.hashes:
            post = postings[h]
            if isinstance(post, int):
                del postings[h]
                continue
            kept = array("Q", (p for p in post if p >> _POSITION_BITS != no))
            if not kept:
                del postings[h]
            elif len(kept) == 1:
                postings[h] = kept[0]
            else:
                postings[h] = kept
        return True

    # -- inspection ----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, external_id: object) -> bool:
        return external_id in self._entries

    def get(self, external_id: str) -> CorpusDocument | None:
        entry = self._entries.get(external_id)
        return entry.doc if entry is not None else None

    def documents(self) -> Iterator[CorpusDocument]:
        return (e.doc for e in self._entries.values())

    def profile(self, external_id: str) -> SourceProfile:
        return self._entries[external_id].profile

    @property
    def max_df(self) -> int:
        if self._fixed_max_df is not None:
            return self._fixed_max_df
        return max(self.max_df_min, math.ceil(self.max_df_fraction * len(self._entries)))

    @property
    def fingerprint_count(self) -> int:
        """Number of distinct fingerprint hashes in the index."""
        return len(self._postings)

    def postings(self, h: int) -> list[tuple[str, int]]:
        """``(external_id, position)`` of every occurrence of fingerprint ``h``."""
        post = self._postings.get(h)
        if post is None:
            return []
        packed = (post,) if isinstance(post, int) else tuple(post)
        return [(self._by_no[p >> _POSITION_BITS].doc.external_id, p & _POSITION_MASK) for p in packed]

    def document_frequency(self, h: int) -> int:
        """Number of documents containing fingerprint ``h``."""
        post = self._postings.get(h)
        if post is None:
            return 0
        if isinstance(post, int):
            return 1
        return len({p >> _POSITION_BITS for p in post})

    # -- query ---------------------------------------------------------------------------------
    def kgram_hashes(self, normalised_text: str) -> list[int]:
        return _kgram_hashes(normalised_text, self.k)

    def candidates(
        self,
        query_hashes: Iterable[int],
        *,
        top_n: int = DEFAULT_TOP_N,
        min_shared: int = DEFAULT_MIN_SHARED,
        accept: Callable[[CorpusDocument, SourceProfile], bool] | None = None,
    ) -> list[Candidate]:
        """Documents sharing the most fingerprints with the query.

        ``query_hashes`` should be the hashes of ALL k-grams of the normalised query (not winnowed):
        then every indexed fingerprint inside a common substring counts, and a common substring of
        ``n >= w + k - 1`` characters contributes at least ``(n - k + 1) // w`` shared fingerprints.
        Documents rejected by ``accept`` are dropped before the top ``top_n`` are taken.
        Sorted by shared count (descending), then ``external_id``.
        """
        max_df = self.max_df
        postings = self._postings
        counts: Counter[int] = Counter()
        for h in set(query_hashes):
            post = postings.get(h)
            if post is None:
                continue
            if isinstance(post, int):
                counts[post >> _POSITION_BITS] += 1
                continue
            docs = {p >> _POSITION_BITS for p in post}
            if len(docs) <= max_df:
                counts.update(docs)
        ranked: list[Candidate] = []
        for no, shared in counts.items():
            if shared < min_shared:
                continue
            entry = self._by_no[no]
            if accept is None or accept(entry.doc, entry.profile):
                ranked.append(Candidate(entry.doc.external_id, shared))
        ranked.sort(key=lambda c: (-c.shared, c.external_id))
        return ranked[:top_n]
