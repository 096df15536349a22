"""Events of plagiarism-service: facts in past tense (docs/EVENTS.md is generated from these classes).

application-service consumes PaperCheckCompleted and PaperCheckRejected: their payload keys are a
contract; a changed shape is a new schema version with an upcaster.
"""

from __future__ import annotations

from typing import ClassVar

from zhicheng_kernel.events import DomainEvent, EventCatalogue

from .checker import CheckResult, Decision

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


class PaperCheckCompleted(DomainEvent):
    """A paper was checked against the corpus: its copy ratios and the POL-PA-4 verdict."""

    event_type: ClassVar[str] = "PaperCheckCompleted"
    stream_type: ClassVar[str] = CHECK_STREAM

    check_id: str
    application_id: str | None
    paper_id: str | None
    total_copy_ratio: float
    copy_ratio_excluding_quotes: float
    copy_ratio_excluding_own: float
    max_single_source_ratio: float
    threshold: float
    decision: Decision

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
            threshold=result.threshold,
            decision=result.decision,
        )


class PaperCheckRejected(DomainEvent):
    """A requested check could not be run (no text to match, binary content…): no verdict will come."""

    event_type: ClassVar[str] = "PaperCheckRejected"
    stream_type: ClassVar[str] = CHECK_STREAM

    check_id: str
    application_id: str | None
    paper_id: str | None
    code: str
    reason: str


CATALOGUE = EventCatalogue(
    "plagiarism-service", [CorpusDocumentAdded, CorpusDocumentRemoved, PaperCheckCompleted, PaperCheckRejected]
)
