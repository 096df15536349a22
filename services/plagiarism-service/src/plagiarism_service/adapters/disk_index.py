"""The corpus index on disk: survives a restart without re-ingesting and grows by bulk ingestion.

Layout of the index directory:

* ``corpus.sqlite`` — the documents (metadata, full text, the profile the checker needs to recognise
  the paper itself and own publications), the list of live segments and the tombstones;
* ``seg-NNNNNNNN.keys`` — a segment: a sorted ``array('Q')`` of keys ``(crc32 << 32) | doc_no``, one
  per distinct winnowed fingerprint of a document (no positions: the exact alignment finds them);
* ``seg-NNNNNNNN.fence`` — ``2**16 + 1`` start indices of the keys by the top 16 bits of the hash,
  so a look-up is a ``bisect`` over a few thousand keys of a memory-mapped file.

A bulk ingestion (:meth:`DiskIndex.add_many`) fingerprints its documents, sorts their keys in one
``sorted()`` and writes them as a new segment; documents rows and the segment commit in one SQLite
transaction (the segment file is renamed into place before), so a crash leaves either both or an
orphan file that the next open deletes.  Segments are merged log-structured (a new segment swallows
its predecessors while they are not more than twice its size), so their number stays logarithmic;
:meth:`compact` merges all of them and drops removed documents' keys.

Memory: the key files are memory-mapped (the page cache holds them), the per-document metadata is
in memory (a few hundred bytes a document).
"""

from __future__ import annotations

import itertools
import json
import math
import mmap
import os
import sqlite3
import sys
import threading
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..domain.corpus import (
    DEFAULT_MAX_DF_FRACTION,
    DEFAULT_MAX_DF_MIN,
    DEFAULT_MIN_SHARED,
    DEFAULT_TOP_N,
    Candidate,
    CorpusDocument,
    SourceProfile,
)
from ..domain.exclusions import reference_start
from ..domain.fingerprints import DEFAULT_K, DEFAULT_W, unit_kgram_hashes, winnowed_set
from ..domain.normalise import normalise_text

__all__ = ["DiskIndex"]

_DOC_BITS = 32
_DOC_MASK = (1 << _DOC_BITS) - 1
_FENCE_BITS = 16
_FENCE_SHIFT = 64 - _FENCE_BITS
_FENCE_SIZE = (1 << _FENCE_BITS) + 1
_MERGE_CHUNKS = 256  # a merge sorts 1/256 of the keys at a time
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    doc_no INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    version TEXT NOT NULL,
    title TEXT NOT NULL,
    authors TEXT NOT NULL,
    published_on TEXT,
    chars INTEGER NOT NULL,
    title_key TEXT NOT NULL,
    author_keys TEXT NOT NULL,
    body_digest BLOB NOT NULL,
    text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS segments (seq INTEGER PRIMARY KEY, keys INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tombstones (doc_no INTEGER PRIMARY KEY);
"""


@dataclass(frozen=True, slots=True)
class _Meta:
    doc: CorpusDocument  # without its text (text="")
    profile: SourceProfile
    version: str
    chars: int


class _Segment:
    def __init__(self, directory: Path, seq: int, size: int) -> None:
        self.seq = seq
        self.size = size
        self.keys_path = directory / f"seg-{seq:08d}.keys"
        self.fence_path = directory / f"seg-{seq:08d}.fence"
        self._file = open(self.keys_path, "rb")
        self._map: mmap.mmap | None = None
        if size:
            self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
            self.keys: memoryview | array[int] = memoryview(self._map).cast("Q")
        else:
            self.keys = array("Q")
        self.fence = array("Q")
        with open(self.fence_path, "rb") as f:
            self.fence.fromfile(f, _FENCE_SIZE)

    def close(self) -> None:
        if isinstance(self.keys, memoryview):
            self.keys.release()
        if self._map is not None:
            self._map.close()
        self._file.close()

    def disk_bytes(self) -> int:
        return self.keys_path.stat().st_size + self.fence_path.stat().st_size


def _fence(keys: memoryview | array[int]) -> array[int]:
    n = len(keys)
    return array("Q", (bisect_left(keys, b << _FENCE_SHIFT, 0, n) for b in range(_FENCE_SIZE - 1))) + array("Q", [n])


class DiskIndex:
    """Same query interface as the in-memory :class:`~plagiarism_service.domain.CorpusIndex` that
    :func:`~plagiarism_service.domain.check` uses; not safe for a write concurrent with anything."""

    def __init__(
        self,
        directory: Path | str,
        *,
        k: int = DEFAULT_K,
        w: int = DEFAULT_W,
        max_df_fraction: float = DEFAULT_MAX_DF_FRACTION,
        max_df_min: int = DEFAULT_MAX_DF_MIN,
        max_df: int | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.k = k
        self.w = w
        self.max_df_fraction = max_df_fraction
        self.max_df_min = max_df_min
        self._fixed_max_df = max_df
        self._db = sqlite3.connect(self.directory / "corpus.sqlite", check_same_thread=False, isolation_level=None)
        self._db_lock = threading.Lock()  # checks read documents from several threads
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._check_parameters()
        self._meta: dict[int, _Meta] = {}
        self._by_ext: dict[str, int] = {}
        self._tombstones: set[int] = set()
        self._segments: list[_Segment] = []
        self._load()

    # -- opening ---------------------------------------------------------------------------------
    def _check_parameters(self) -> None:
        wanted = {"k": str(self.k), "w": str(self.w), "hash": "crc32-utf16", "byteorder": sys.byteorder}
        stored = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        if not stored:
            self._db.executemany("INSERT INTO meta VALUES (?, ?)", wanted.items())
        elif stored != wanted:
            raise ValueError(f"index at {self.directory} was built with {stored}, not {wanted}")

    def _load(self) -> None:
        rows = self._db.execute(
            "SELECT doc_no, external_id, version, title, authors, published_on, chars, title_key, author_keys,"
            " body_digest FROM docs"
        )
        for no, ext, version, title, authors, published, chars, title_key, author_keys, digest in rows:
            doc = CorpusDocument(
                ext, title, "", tuple(json.loads(authors)), date.fromisoformat(published) if published else None
            )
            profile = SourceProfile(title_key, frozenset(json.loads(author_keys)), bytes(digest))
            self._meta[no] = _Meta(doc, profile, version, chars)
            self._by_ext[ext] = no
        self._tombstones = {no for (no,) in self._db.execute("SELECT doc_no FROM tombstones")}
        live = self._db.execute("SELECT seq, keys FROM segments ORDER BY seq").fetchall()
        self._segments = [_Segment(self.directory, seq, size) for seq, size in live]
        names = {p for s in self._segments for p in (s.keys_path.name, s.fence_path.name)}
        for path in self.directory.glob("seg-*"):
            if path.name not in names:  # left by a crash before its commit, or a merge's inputs
                path.unlink()

    def close(self) -> None:
        for seg in self._segments:
            seg.close()
        self._segments = []
        self._db.close()

    def __enter__(self) -> DiskIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- maintenance -----------------------------------------------------------------------------
    def add(self, doc: CorpusDocument, version: str = "") -> None:
        self.add_many([doc], {doc.external_id: version})

    def add_many(self, docs: Iterable[CorpusDocument], versions: Mapping[str, str] | None = None) -> int:
        """Index ``docs`` as one new segment (a document with a known ``external_id`` is replaced);
        returns the number of characters indexed.  ``versions`` tags documents for :meth:`versions`."""
        k, w = self.k, self.w
        next_no = self._next_doc_no()
        keys: list[int] = []
        rows: list[tuple[object, ...]] = []
        metas: list[tuple[int, _Meta]] = []
        replaced: list[int] = []
        chars = 0
        batch: dict[str, int] = {}
        for doc in docs:
            if doc.external_id in self._by_ext:
                replaced.append(self._by_ext[doc.external_id])
            if doc.external_id in batch:  # the same id twice in one batch: the later one wins
                replaced.append(batch[doc.external_id])
            no = next_no
            next_no += 1
            batch[doc.external_id] = no
            body = normalise_text(doc.text[: reference_start(doc.text)])
            base = no
            keys.extend((h << _DOC_BITS) | base for h in winnowed_set(unit_kgram_hashes(body, k), w))
            profile = SourceProfile.of_text(doc.title, doc.authors, body)
            version = (versions or {}).get(doc.external_id, "")
            published = doc.published_on.isoformat() if doc.published_on else None
            rows.append(
                (
                    no,
                    doc.external_id,
                    version,
                    doc.title,
                    json.dumps(list(doc.authors), ensure_ascii=False),
                    published,
                    len(doc.text),
                    profile.title_key,
                    json.dumps(sorted(profile.author_keys), ensure_ascii=False),
                    profile.body_digest,
                    doc.text,
                )
            )
            bare = CorpusDocument(doc.external_id, doc.title, "", tuple(doc.authors), doc.published_on)
            metas.append((no, _Meta(bare, profile, version, len(doc.text))))
            chars += len(doc.text)
        if not rows:
            return 0
        if next_no > _DOC_MASK:
            raise OverflowError("document numbers exhausted")
        keys.sort()
        seq, size = self._write_segment(array("Q", keys))
        del keys
        final = {no for no in batch.values()}
        rows = [r for r in rows if r[0] in final]
        stale = [no for no in replaced if no not in final]
        db = self._db
        db.execute("BEGIN")
        try:
            if stale:
                db.executemany("DELETE FROM docs WHERE doc_no = ?", [(no,) for no in stale])
                db.executemany("INSERT OR IGNORE INTO tombstones VALUES (?)", [(no,) for no in stale])
            db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            db.execute("INSERT INTO segments VALUES (?, ?)", (seq, size))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        for no in stale:
            meta = self._meta.pop(no, None)
            if meta is not None and self._by_ext.get(meta.doc.external_id) == no:
                del self._by_ext[meta.doc.external_id]
            self._tombstones.add(no)
        # documents of this batch superseded within it: their keys are in the segment, so tombstone them
        for no, meta in metas:
            if no in final:
                self._meta[no] = meta
                self._by_ext[meta.doc.external_id] = no
        self._tombstones.update(no for no, _ in metas if no not in final)
        if len(final) != len(metas):
            db.executemany("INSERT OR IGNORE INTO tombstones VALUES (?)", [(no,) for no, _ in metas if no not in final])
        self._segments.append(_Segment(self.directory, seq, size))
        self._merge_tail()
        return chars

    def _next_doc_no(self) -> int:
        row = self._db.execute(
            "SELECT max(m) FROM (SELECT max(doc_no) AS m FROM docs UNION ALL SELECT max(doc_no) FROM tombstones)"
        ).fetchone()
        return 0 if row[0] is None else row[0] + 1

    def _new_seq(self) -> int:
        row = self._db.execute("SELECT max(seq) FROM segments").fetchone()
        top = max([row[0] or 0, *(s.seq for s in self._segments)])
        return top + 1

    def _write_segment(self, keys: array[int] | Iterator[array[int]]) -> tuple[int, int]:
        """Write sorted keys (one array, or chunks in order) to a new segment's files: (seq, size)."""
        seq = self._new_seq()
        keys_path = self.directory / f"seg-{seq:08d}.keys"
        tmp = keys_path.with_suffix(".tmp")
        size = 0
        with open(tmp, "wb") as f:
            for chunk in [keys] if isinstance(keys, array) else keys:
                chunk.tofile(f)
                size += len(chunk)
            f.flush()
            os.fsync(f.fileno())
        with open(tmp, "rb") as f:
            if size:
                with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
                    view = memoryview(m).cast("Q")
                    fence = _fence(view)
                    view.release()
            else:
                fence = array("Q", [0] * _FENCE_SIZE)
        with open(self.directory / f"seg-{seq:08d}.fence", "wb") as f:
            fence.tofile(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, keys_path)
        return seq, size

    def _merge_tail(self) -> None:
        """Log-structured merging: the newest segment swallows the ones before it while they are at
        most twice the size of what it holds already."""
        segs = self._segments
        i, total = len(segs) - 1, segs[-1].size
        while i > 0 and segs[i - 1].size <= 2 * total:
            i -= 1
            total += segs[i].size
        if i < len(segs) - 1:
            self._merge(segs[i:])

    def compact(self) -> None:
        """Merge every segment into one and drop the keys of removed documents."""
        if len(self._segments) > 1 or (self._segments and self._tombstones):
            self._merge(list(self._segments), purge=True)

    def _merge(self, segs: list[_Segment], *, purge: bool = False) -> None:
        tomb = self._tombstones
        step = (_FENCE_SIZE - 1) // _MERGE_CHUNKS

        def chunks() -> Iterator[array[int]]:
            for c in range(_MERGE_CHUNKS):
                lo_b, hi_b = c * step, (c + 1) * step
                merged = list(
                    itertools.chain.from_iterable(s.keys[s.fence[lo_b] : s.fence[hi_b]] for s in segs if s.size)
                )
                if tomb:
                    merged = [v for v in merged if v & _DOC_MASK not in tomb]
                merged.sort()  # sorted runs: timsort merges them
                yield array("Q", merged)

        seq, size = self._write_segment(chunks())
        merged_seqs = [s.seq for s in segs]
        purged = sorted(tomb) if purge else []
        db = self._db
        db.execute("BEGIN")
        try:
            db.executemany("DELETE FROM segments WHERE seq = ?", [(q,) for q in merged_seqs])
            db.execute("INSERT INTO segments VALUES (?, ?)", (seq, size))
            if purge:
                db.execute("DELETE FROM tombstones")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        for s in segs:
            s.close()
            s.keys_path.unlink(missing_ok=True)
            s.fence_path.unlink(missing_ok=True)
        first = self._segments.index(segs[0])
        self._segments[first : first + len(segs)] = [_Segment(self.directory, seq, size)]
        if purge:
            self._tombstones.difference_update(purged)

    def remove(self, external_id: str) -> bool:
        """Forget a document (its keys stay in their segment until merged, ignored meanwhile)."""
        no = self._by_ext.pop(external_id, None)
        if no is None:
            return False
        db = self._db
        db.execute("BEGIN")
        try:
            db.execute("DELETE FROM docs WHERE doc_no = ?", (no,))
            db.execute("INSERT OR IGNORE INTO tombstones VALUES (?)", (no,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        del self._meta[no]
        self._tombstones.add(no)
        return True

    # -- inspection ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._meta)

    def __contains__(self, external_id: object) -> bool:
        return external_id in self._by_ext

    def versions(self) -> dict[str, str]:
        """``external_id -> version`` of every indexed document (for reconciling with the database)."""
        return {m.doc.external_id: m.version for m in self._meta.values()}

    def get(self, external_id: str) -> CorpusDocument | None:
        no = self._by_ext.get(external_id)
        if no is None:
            return None
        with self._db_lock:
            row = self._db.execute("SELECT text FROM docs WHERE doc_no = ?", (no,)).fetchone()
        bare = self._meta[no].doc
        return CorpusDocument(bare.external_id, bare.title, row[0], bare.authors, bare.published_on)

    def documents(self) -> Iterator[CorpusDocument]:
        with self._db_lock:
            rows = self._db.execute("SELECT doc_no, text FROM docs ORDER BY doc_no").fetchall()
        for no, text in rows:
            bare = self._meta[no].doc
            yield CorpusDocument(bare.external_id, bare.title, text, bare.authors, bare.published_on)

    def profile(self, external_id: str) -> SourceProfile:
        return self._meta[self._by_ext[external_id]].profile

    @property
    def max_df(self) -> int:
        if self._fixed_max_df is not None:
            return self._fixed_max_df
        return max(self.max_df_min, math.ceil(self.max_df_fraction * len(self._meta)))

    @property
    def segment_count(self) -> int:
        return len(self._segments)

    @property
    def key_count(self) -> int:
        """Keys in the segments (removed documents' keys included until a merge drops them)."""
        return sum(s.size for s in self._segments)

    @property
    def chars(self) -> int:
        return sum(m.chars for m in self._meta.values())

    def disk_bytes(self) -> dict[str, int]:
        """Bytes on disk: the fingerprint segments and the document store (texts included)."""
        store = sum(p.stat().st_size for p in self.directory.glob("corpus.sqlite*"))
        return {"segments": sum(s.disk_bytes() for s in self._segments), "document_store": store}

    # -- query -----------------------------------------------------------------------------------
    def kgram_hashes(self, normalised_text: str) -> list[int]:
        return unit_kgram_hashes(normalised_text, self.k)

    def shared_counts(self, query_hashes: Iterable[int]) -> Counter[int]:
        """``doc_no -> number of distinct query hashes among its fingerprints`` (df cut applied)."""
        max_df = self.max_df
        segs = [(s.keys, s.fence) for s in self._segments if s.size]
        counts: Counter[int] = Counter()
        update = counts.update
        for h in sorted(set(query_hashes)):
            b = h >> (32 - _FENCE_BITS)
            key = h << _DOC_BITS
            docs: list[int] = []
            for keys, fence in segs:
                lo, hi = fence[b], fence[b + 1]
                if lo == hi:
                    continue
                i = bisect_left(keys, key, lo, hi)
                while i < hi:
                    v = keys[i]
                    if v >> _DOC_BITS != h:
                        break
                    docs.append(v & _DOC_MASK)
                    i += 1
            if docs and len(docs) <= max_df:
                update(docs)
        return counts

    def candidates(
        self,
        query_hashes: Iterable[int],
        *,
        top_n: int = DEFAULT_TOP_N,
        min_shared: int = DEFAULT_MIN_SHARED,
        accept: Callable[[CorpusDocument, SourceProfile], bool] | None = None,
    ) -> list[Candidate]:
        """Documents sharing the most fingerprints with the query (see CorpusIndex.candidates)."""
        ranked: list[Candidate] = []
        meta = self._meta
        for no, shared in self.shared_counts(query_hashes).items():
            if shared < min_shared:
                continue
            m = meta.get(no)
            if m is None:  # removed
                continue
            if accept is None or accept(m.doc, m.profile):
                ranked.append(Candidate(m.doc.external_id, shared))
        ranked.sort(key=lambda c: (-c.shared, c.external_id))
        return ranked[:top_n]
