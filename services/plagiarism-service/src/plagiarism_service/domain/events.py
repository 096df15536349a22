"""Events of plagiarism-service: facts in past tense (docs/EVENTS.md is generated from these classes).

application-service consumes PaperCheckCompleted and PaperCheckRejected: their payload keys are a
contract; a changed shape is a new schema version with an upcaster.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from zhicheng_kernel.events import DomainEvent, EventCatalogue, PayloadStep

from .checker import CheckResult

CHECK_STREAM = "check"
CORPUS_DOCUMENT_STREAM = "corpus_document"


class CorpusDocumentAdded(DomainEvent):
    """A document entered the reference corpus (or re-entered it after a removal, with new content)."""

    event_type: ClassVar[str] = "CorpusDocumentAdded"
    stream_type: ClassVar[str] = CORPUS_DOCUMENT_STREAM

    external_id: str
    title: str
    chars: int


class CorpusDocumentRemoved(DomainEvent):
    """A document left the reference corpus: no later check matches it; its row is kept for the record."""

    event_type: ClassVar[str] = "CorpusDocumentRemoved"
    stream_type: ClassVar[str] = CORPUS_DOCUMENT_STREAM

    external_id: str


def _cnki_named_ratios(payload: dict[str, Any]) -> dict[str, Any]:
    """Version 1 carried plagiarism-service's own verdict (``threshold``, ``decision``) and no
    ``copy_ratio_total`` / ``largest_source_ratio``; its ``copy_ratio_excluding_own`` also left out
    quotations (no CNKI figure), and is kept as it was measured."""
    lifted = {k: v for k, v in payload.items() if k not in ("threshold", "decision")}
    lifted.setdefault("copy_ratio_total", payload.get("total_copy_ratio"))
    lifted.setdefault("largest_source_ratio", payload.get("max_single_source_ratio"))
    return lifted


class PaperCheckCompleted(DomainEvent):
    """A paper was checked against the corpus: the four ratios of a CNKI report (fractions 0..1), no verdict."""

    event_type: ClassVar[str] = "PaperCheckCompleted"
    stream_type: ClassVar[str] = CHECK_STREAM
    schema_version: ClassVar[int] = 2
    upcasts: ClassVar[Mapping[int, PayloadStep]] = {1: _cnki_named_ratios}

    check_id: str
    application_id: str | None
    paper_id: str | None
    total_copy_ratio: float
    copy_ratio_excluding_quotes: float  # 去除引用文献复制比: cited, bounded quotations left out
    copy_ratio_excluding_own: float  # 去除本人已发表文献复制比: own publications left out, quotations count
    max_single_source_ratio: float
    copy_ratio_total: float  # 总文字复制比 (the same figure as total_copy_ratio, by its contract name)
    largest_source_ratio: float  # 单篇最大文字复制比 (as max_single_source_ratio)

    @classmethod
    def of(
        cls, check_id: str, result: CheckResult, *, application_id: str | None, paper_id: str | None
    ) -> PaperCheckCompleted:
        return cls(
            check_id=check_id,
            application_id=application_id,
            paper_id=paper_id,
            total_copy_ratio=result.total_copy_ratio,
            copy_ratio_excluding_quotes=result.copy_ratio_excluding_quotes,
            copy_ratio_excluding_own=result.copy_ratio_excluding_own,
            max_single_source_ratio=result.max_single_source_ratio,
            copy_ratio_total=result.total_copy_ratio,
            largest_source_ratio=result.max_single_source_ratio,
        )


class PaperCheckRejected(DomainEvent):
    """A requested check could not be run (no text to match, binary content, out of time): no ratios will come."""

    event_type: ClassVar[str] = "PaperCheckRejected"
    stream_type: ClassVar[str] = CHECK_STREAM

    check_id: str
    application_id: str | None
    paper_id: str | None
    code: str
    reason: str
    # Who caused it: "applicant" (the text cannot be checked: empty, binary, without words) or
    # "service" (the check ran out of its time budget, or failed in the service).
    caused_by: str = "applicant"


CATALOGUE = EventCatalogue(
    "plagiarism-service", [CorpusDocumentAdded, CorpusDocumentRemoved, PaperCheckCompleted, PaperCheckRejected]
)
