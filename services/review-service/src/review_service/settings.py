"""review-service settings: the kernel's ZC_* settings plus the national-rule parameters."""

from __future__ import annotations

from fractions import Fraction

from zhicheng_kernel.settings import ServiceSettings

from .domain.rules import TWO_THIRDS, CommitteeSizeRule, parse_share


class ReviewSettings(ServiceSettings):
    # NAT-6 minimum committee sizes (senior and deputy-senior committees; others: other_minimum).
    committee_min_senior_by_series: int = CommitteeSizeRule.senior_by_series
    committee_min_senior_by_specialty: int = CommitteeSizeRule.senior_by_specialty
    committee_min_other: int = CommitteeSizeRule.other_minimum
    # NAT-1 quorum and NAT-2 pass threshold, as fractions.
    quorum_share: str = str(TWO_THIRDS)
    pass_share: str = str(TWO_THIRDS)
    document_number_prefix: str = "平人社职称"

    @property
    def committee_size_rule(self) -> CommitteeSizeRule:
        return CommitteeSizeRule(
            self.committee_min_senior_by_series, self.committee_min_senior_by_specialty, self.committee_min_other
        )

    @property
    def quorum(self) -> Fraction:
        return parse_share(self.quorum_share)

    @property
    def pass_threshold(self) -> Fraction:
        return parse_share(self.pass_share)
