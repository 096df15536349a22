"""plagiarism-service's settings: the kernel's, and how long a quotation may be."""

from __future__ import annotations

from pydantic import Field
from zhicheng_kernel.settings import ServiceSettings

from .domain.exclusions import DEFAULT_MAX_QUOTE_CHARS


class PlagiarismSettings(ServiceSettings):
    # ZC_PLAGIARISM_MAX_QUOTE_CHARS: the longest passage between quotation marks that can be a
    # quotation (去除引用文献复制比); a longer one is copying however it is marked.
    plagiarism_max_quote_chars: int = Field(default=DEFAULT_MAX_QUOTE_CHARS, ge=1, le=5000)


def max_quote_chars(settings: ServiceSettings) -> int:
    """The setting, or its default for a context built with the kernel's plain settings (tests)."""
    return settings.plagiarism_max_quote_chars if isinstance(settings, PlagiarismSettings) else DEFAULT_MAX_QUOTE_CHARS
