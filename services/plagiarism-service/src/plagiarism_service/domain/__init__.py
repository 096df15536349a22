"""Pure domain core of the plagiarism check (CNKI-style, POL-PA-4): no I/O.

Pipeline: :func:`normalise` (NFKC, t2s, lower case, no punctuation/whitespace, offset map) →
:func:`find_exclusions` (reference list, cited quotations) → k-gram :func:`fingerprints`
with winnowing → candidate ranking (:class:`CorpusIndex` in memory, or the persistent
``adapters.disk_index.DiskIndex`` with :func:`unit_kgram_hashes` / :func:`winnowed_set`) → exact
alignment (:func:`align`) with gap bridging →
:func:`check` (crediting, the four ratios of a CNKI report; no decision: application-service
decides POL-PA-4).
"""

from .alignment import ExactMatch, MergedMatch, align, exact_matches, merge_matches
from .checker import (
    CheckInput,
    CheckParams,
    CheckResult,
    CheckStopped,
    JournalLevel,
    Passage,
    SearchableIndex,
    brute_force_check,
    check,
)
from .corpus import Candidate, CorpusDocument, CorpusIndex, SourceProfile, normalised_body
from .exclusions import DEFAULT_MAX_QUOTE_CHARS, Exclusions, find_exclusions, reference_start
from .fingerprints import (
    DEFAULT_K,
    DEFAULT_W,
    fingerprints,
    kgram_hashes,
    stable_hash,
    unit_kgram_hashes,
    winnow,
    winnowed_set,
)
from .normalise import Normalised, normalise, normalise_key, normalise_text

__all__ = [
    "DEFAULT_K",
    "DEFAULT_MAX_QUOTE_CHARS",
    "DEFAULT_W",
    "Candidate",
    "CheckInput",
    "CheckParams",
    "CheckResult",
    "CheckStopped",
    "CorpusDocument",
    "CorpusIndex",
    "ExactMatch",
    "Exclusions",
    "JournalLevel",
    "MergedMatch",
    "Normalised",
    "Passage",
    "SearchableIndex",
    "SourceProfile",
    "align",
    "brute_force_check",
    "check",
    "exact_matches",
    "find_exclusions",
    "fingerprints",
    "kgram_hashes",
    "merge_matches",
    "normalise",
    "normalise_key",
    "normalise_text",
    "normalised_body",
    "reference_start",
    "stable_hash",
    "unit_kgram_hashes",
    "winnow",
    "winnowed_set",
]
