"""What every rule reads: the application, the registries, the evaluation date and the parameters,
plus the few derived facts several rules share (computed here once, never in two places)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..schedule import Schedule
from .model import EDUCATION_ORDER, Application, EducationLevel, Paper, TechnicalClass, next_lower_level
from .parameters import DEFAULT_PARAMETERS, PolicyParameters
from .registries import FrontLineRoster, LevelRequirement, Registries
from .text import full_months_between

# POL-SK-2's table; the rule reports it, education checks use it through effective_education().
TECHNICAL_CLASS_EQUIVALENT: dict[TechnicalClass, EducationLevel] = {
    "intermediate_worker_class": "secondary_vocational",
    "advanced_worker_class": "junior_college",
    "preparatory_technician_class": "bachelor",
}


@dataclass(frozen=True)
class PolicyContext:
    application: Application
    registries: Registries
    as_of: date
    params: PolicyParameters = DEFAULT_PARAMETERS
    schedule: Schedule | None = field(default=None)
    # The papers that still count once the paper rules excluded some (set by the engine); None = all.
    papers_that_count: tuple[Paper, ...] | None = None

    def year_schedule(self) -> Schedule:
        """The year's published schedule; a rule that needs it cannot be judged without one (SCHED-4)."""
        if self.schedule is None:
            raise LookupError("no published schedule was given: SCHED-4 has no fallback to 2021's months")
        return self.schedule

    def effective_education(self) -> EducationLevel | None:
        """The higher of the diploma and the technical-school class equivalent."""
        edu = self.application.education
        candidates = [e for e in (edu.level, _class_equivalent(edu.technical_class)) if e is not None]
        return max(candidates, key=EDUCATION_ORDER.index) if candidates else None

    def requirement(self) -> LevelRequirement | None:
        target = self.application.target
        return self.registries.level_requirement(target.series, target.level)

    def education_meets(self, requirement: LevelRequirement) -> bool:
        mine = self.effective_education()
        return mine is not None and EDUCATION_ORDER.index(mine) >= EDUCATION_ORDER.index(requirement.min_education)

    def years_in_lower_title(self) -> int | None:
        """Whole years held at the next-lower title level (by the current title or a bridged qualification)."""
        lower = next_lower_level(self.application.target.level)
        starts = []
        title = self.application.current_title
        if title is not None and title.level == lower:
            starts.append(title.obtained_on)
        bridged = self.registries.bridged_fields()
        starts += [
            q.obtained_on for q in self.application.bridged_qualifications if q.level == lower and q.field in bridged
        ]
        if not starts:
            return None
        return full_months_between(min(starts), self.as_of) // 12

    def counted_papers(self) -> tuple[Paper, ...]:
        """The submitted papers less those excluded: an excluded paper does not count as submitted."""
        return self.application.papers if self.papers_that_count is None else self.papers_that_count

    def roster(self) -> FrontLineRoster | None:
        front = self.application.front_line
        if front is None or front.roster_id is None:
            return None
        return self.registries.frontline_roster(front.roster_id)


def _class_equivalent(technical_class: TechnicalClass | None) -> EducationLevel | None:
    return TECHNICAL_CLASS_EQUIVALENT[technical_class] if technical_class else None
