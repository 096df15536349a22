"""The limits of a paper's copy ratio by journal level, as the city's notice sets them.

"重新调整论文查重率，调整后核心期刊为15%、省级期刊为25%" (POL-PA-4): application-service's gate and
plagiarism-service's verdict both read them from here, so the two can never disagree. Percentages are
exact decimals: exactly 15.00 % passes a core paper, 15.01 % does not.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

JournalLevel = Literal["core", "provincial"]

MAX_COPY_RATIO_PERCENT: dict[str, Decimal] = {"core": Decimal("15"), "provincial": Decimal("25")}


def max_copy_ratio_percent(journal_level: str) -> Decimal:
    """The highest copy ratio (in percent) a paper in a journal of this level may have."""
    return MAX_COPY_RATIO_PERCENT[journal_level]
