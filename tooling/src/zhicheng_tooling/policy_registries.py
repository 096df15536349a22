"""The development seed's registries as the policy engine's in-memory registries, for the eligibility
bench and the pure policy tests: built from the seed's entries as application-service builds them from
its registry tables."""

from __future__ import annotations

from application_service.domain.policy import FrontLineRoster, InMemoryRegistries, JournalRecord, LevelRequirement

from .dev_seed.registries import REGISTRY_ENTRIES


def seed_registries() -> InMemoryRegistries:
    by = REGISTRY_ENTRIES
    return InMemoryRegistries(
        journals={
            e["cn_number"]: JournalRecord(
                e["cn_number"],
                e["name"],
                frozenset(e["core_years"]),
                e["provincial_authoritative"],
                e["press_listed"],
                e["electronic"],
            )
            for e in by["journals"]
        },
        retained_programmes={e["programme"]: (e["first_year"], e["last_year"]) for e in by["retained_programmes"]},
        bridged=frozenset(e["field"] for e in by["bridged_fields"]),
        rosters={
            e["roster_id"]: FrontLineRoster(
                e["roster_id"],
                medical=e["medical"],
                set_by=e["set_by"],
                with_employer=e["with_employer"],
                reviewed_by_city_health=e["reviewed_by_city_health"],
                filed_with_provincial_health=e["filed_with_provincial_health"],
                members=frozenset(e["members"]),
            )
            for e in by["frontline_rosters"]
        },
        requirements={
            (e["series"], e["level"]): LevelRequirement(
                e["series"],
                e["level"],
                e["min_education"],
                e["min_years_in_lower_title"],
                min_months_at_lower_post=e.get("min_months_at_lower_post"),
                paper_required=e.get("paper_required"),
            )
            for e in by["level_requirements"]
        },
    )
