"""plagiarism-service's settings: the kernel's, how long a quotation may be, how long a check may run."""

from __future__ import annotations

from pydantic import Field
from zhicheng_kernel.settings import ServiceSettings

from .domain.exclusions import DEFAULT_MAX_QUOTE_CHARS

DEFAULT_CHECK_BUDGET_SECONDS = 120.0


class PlagiarismSettings(ServiceSettings):
    # ZC_PLAGIARISM_MAX_QUOTE_CHARS: the longest passage between quotation marks that can be a
    # quotation (去除引用文献复制比); a longer one is copying however it is marked.
    plagiarism_max_quote_chars: int = Field(default=DEFAULT_MAX_QUOTE_CHARS, ge=1, le=5000)
    # ZC_PLAGIARISM_CHECK_BUDGET_SECONDS: how long one check may compute before it is abandoned and
    # recorded as "unavailable" (check_timed_out), so that no text can hold the service (issue 12, finding 1).
    plagiarism_check_budget_seconds: float = Field(default=DEFAULT_CHECK_BUDGET_SECONDS, ge=0.01, le=3600)


def max_quote_chars(settings: ServiceSettings) -> int:
    """The setting, or its default for a context built with the kernel's plain settings (tests)."""
    return settings.plagiarism_max_quote_chars if isinstance(settings, PlagiarismSettings) else DEFAULT_MAX_QUOTE_CHARS


def check_budget_seconds(settings: ServiceSettings) -> float:
    """The setting, or its default for a context built with the kernel's plain settings (tests)."""
    if isinstance(settings, PlagiarismSettings):
        return settings.plagiarism_check_budget_seconds
    return DEFAULT_CHECK_BUDGET_SECONDS
