"""review-service settings: the kernel's ZC_* settings plus the national-rule parameters."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from pydantic import Field, model_validator
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
    # SCHED-3, the review year's workflow: warnings this many days before 24:00 of 31 December
    # (Asia/Shanghai), and how often it re-reads the overdue sessions while they wait for the city office.
    review_year_warning_days: str = "30,7,1"
    review_year_recheck_seconds: int = Field(default=3600, ge=1, le=86_400)
    # Compressed review years for tests and demonstrations, refused in production: the deadline of every
    # year (ZC_REVIEW_YEAR_DEADLINE_OVERRIDE) and the warning offsets in seconds.
    review_year_deadline_override: datetime | None = None
    review_year_warning_seconds: str | None = None
    # -- issue 11: video defenses (POL-VD-1) --
    # Where LocalVideoRooms issues its room links (ZC_VIDEO_ROOM_BASE_URL): the public gateway's base
    # followed by /video/rooms/; a room is <base><room id>.
    video_room_base_url: str = Field(default="http://localhost:8080/video/rooms/", max_length=500)

    @model_validator(mode="after")
    def _review_year_not_compressed_in_production(self) -> ReviewSettings:
        compressed = self.review_year_deadline_override is not None or self.review_year_warning_seconds is not None
        if self.environment == "production" and compressed:
            raise ValueError(
                "ZC_REVIEW_YEAR_DEADLINE_OVERRIDE / ZC_REVIEW_YEAR_WARNING_SECONDS are refused in production: "
                "the review year ends at 24:00 of 31 December (SCHED-3)"
            )
        if self.review_year_deadline_override is not None and self.review_year_deadline_override.tzinfo is None:
            raise ValueError("ZC_REVIEW_YEAR_DEADLINE_OVERRIDE needs a time zone")
        warning_offsets(self.review_year_warning_days, self.review_year_warning_seconds)  # a bad value fails now
        return self

    @property
    def review_year_warning_offsets_seconds(self) -> list[int]:
        """The warning offsets before the deadline, in seconds, largest first."""
        return warning_offsets(self.review_year_warning_days, self.review_year_warning_seconds)

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


def warning_offsets(days: str, seconds: str | None) -> list[int]:
    """Warning offsets in seconds from "30,7,1" days, or "5,2" seconds when compressed; largest first."""
    if seconds is not None:
        offsets = [int(x) for x in seconds.split(",") if x.strip()]
    else:
        offsets = [int(x) * 86_400 for x in days.split(",") if x.strip()]
    if any(not 0 < o <= 366 * 86_400 for o in offsets) or len(offsets) > 10:
        raise ValueError("review-year warning offsets must be at most 10 positive values within a year")
    return sorted(set(offsets), reverse=True)
