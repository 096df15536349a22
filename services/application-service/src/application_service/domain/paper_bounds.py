"""The bounds of a paper an application carries, in one home: what plagiarism-service accepts for a
check (its `domain/rules.py`: title ≤ 500, at most 50 authors of ≤ 100 characters each, a text of at
most 1,000,000 characters), narrowed where this service wants less. The paper's full text travels inside
ApplicationSubmitted and PaperCheckRequested, so its bound also bounds those events' size."""

from __future__ import annotations

# The full text of one paper, in characters (≤ plagiarism-service's 1,000,000; a paper of 10 papers
# at most — ApplicationIn.papers — keeps one ApplicationSubmitted under Kafka's size with UTF-8 at 3 bytes).
MAX_PAPER_TEXT_CHARS = 200_000
MAX_PAPER_TITLE_CHARS = 500  # = plagiarism-service's MAX_TITLE_CHARS
MAX_AUTHORS = 50  # = plagiarism-service's MAX_AUTHORS
MAX_AUTHOR_CHARS = 100  # = plagiarism-service's MAX_AUTHOR_CHARS
MAX_JOURNAL_CHARS = 200
MAX_PAPERS = 10


def comparable_text(text: str) -> str:
    """A full text with something to compare (a letter or a digit), as plagiarism-service requires; a
    text of punctuation alone would come back as a refused check the applicant caused (finding 6)."""
    if not any(ch.isalnum() for ch in text):
        raise ValueError("论文正文只有标点或符号，没有可检测的文字")
    return text


# plagiarism-service's refusals of a check's input (its domain/rules.py): the applicant's text, title,
# authors or dates — never a reason the employer's report may stand in for.
APPLICANT_INPUT_CODES = frozenset(
    {
        "invalid_characters",
        "required",
        "too_long",
        "too_many_authors",
        "text_empty",
        "text_too_long",
        "text_binary",
        "text_no_content",
        "published_on_invalid",
        "journal_level_unknown",
    }
)


def applicant_caused(code: str | None, said: bool | None) -> bool:
    """Whether a check that could not run failed on the applicant's input: as plagiarism-service says
    (`applicant_caused` of PaperCheckRejected) or, where it does not say, by its refusal's code."""
    if said is not None:
        return said
    return code in APPLICANT_INPUT_CODES
