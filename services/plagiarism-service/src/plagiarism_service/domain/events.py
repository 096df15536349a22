"""Events of plagiarism-service (docs/EVENTS.md): facts in past tense, schema version 1."""

from __future__ import annotations

from zhicheng_kernel.envelope import NewEvent

from .checker import CheckResult

CHECK_STREAM = "check"
CORPUS_DOCUMENT_STREAM = "corpus_document"


def corpus_document_added(external_id: str, title: str, chars: int) -> NewEvent:
    return NewEvent("CorpusDocumentAdded", {"external_id": external_id, "title": title, "chars": chars})


def paper_check_completed(
    check_id: str, result: CheckResult, *, application_id: str | None, paper_id: str | None
) -> NewEvent:
    return NewEvent(
        "PaperCheckCompleted",
        {
            "check_id": check_id,
            "application_id": application_id,
            "paper_id": paper_id,
            "total_copy_ratio": result.total_copy_ratio,
            "copy_ratio_excluding_quotes": result.copy_ratio_excluding_quotes,
            "copy_ratio_excluding_own": result.copy_ratio_excluding_own,
            "max_single_source_ratio": result.max_single_source_ratio,
            "threshold": result.threshold,
            "decision": result.decision,
        },
    )


def paper_check_rejected(
    check_id: str, *, code: str, reason: str, application_id: str | None, paper_id: str | None
) -> NewEvent:
    """A requested check that cannot be run (no text to match, binary content…): the requester must
    not wait for a verdict that will never come."""
    return NewEvent(
        "PaperCheckRejected",
        {"check_id": check_id, "application_id": application_id, "paper_id": paper_id, "code": code, "reason": reason},
    )
