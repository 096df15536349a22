"""NAT-8 and POL-ER-3 at their edges, without servers: how long an entry of the integrity file binds,
and that a submission is refused naming the entry's rule until the third year has passed."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import pytest
from application_service.domain.integrity import (
    from_misconduct,
    from_revocation,
    in_force,
    nat_8_listing_ends,
    years_later_less_a_day,
)
from application_service.domain.policy.expert import not_on_integrity_blacklist
from zhicheng_kernel.errors import InvalidInput


def _revoked(on: date) -> dict[str, object]:
    entry = from_revocation(
        document_id="d-1",
        number="平人社职称〔2026〕00001号",
        application_id="a-1",
        applicant_id="acct-1",
        applicant_name="张三",
        reason="伪造论文",
        revoked_on=on,
        person_key="620821199001011234",
        org_path="/c/u/",
    )
    return asdict(entry)


def test_nat_8_three_years_end_the_day_before_the_third_anniversary() -> None:
    assert nat_8_listing_ends(date(2026, 3, 1)) == date(2029, 2, 28)
    assert nat_8_listing_ends(date(2026, 12, 31)) == date(2029, 12, 30)
    # A 29 February: three years later there is none; the period ends on 28 February.
    assert nat_8_listing_ends(date(2024, 2, 29)) == date(2027, 2, 28)
    assert years_later_less_a_day(date(2025, 2, 28), 3) == date(2028, 2, 27)


def test_nat_8_a_revoked_holder_is_refused_until_the_third_year_has_passed() -> None:
    entry = _revoked(date(2026, 3, 1))
    assert entry["rule"] == "NAT-8" and entry["source"] == "revocation"
    assert entry["expires_on"] == date(2029, 2, 28)
    for day in (date(2026, 3, 1), date(2027, 6, 1), date(2029, 2, 28)):
        with pytest.raises(InvalidInput) as refused:
            not_on_integrity_blacklist(entry, day)
        assert refused.value.rule == "NAT-8" and "NAT-8" in refused.value.message
        assert refused.value.code == "research_integrity_blacklisted"
        assert refused.value.extra["expires_on"] == "2029-02-28"
    not_on_integrity_blacklist(entry, date(2029, 3, 1))  # accepted: the third year has passed
    not_on_integrity_blacklist(entry, date(2026, 2, 28))  # not yet listed


def test_nat_8_in_force_from_the_listing_day_through_the_last_day() -> None:
    assert not in_force(date(2026, 3, 1), date(2029, 2, 28), date(2026, 2, 28))
    assert in_force(date(2026, 3, 1), date(2029, 2, 28), date(2026, 3, 1))
    assert in_force(date(2026, 3, 1), date(2029, 2, 28), date(2029, 2, 28))
    assert not in_force(date(2026, 3, 1), date(2029, 2, 28), date(2029, 3, 1))
    assert in_force(date(2026, 3, 1), None, date(2040, 1, 1))  # a registry entry without an end


def test_pol_er_3_misconduct_lists_the_applicant_and_the_recommending_expert_for_three_years() -> None:
    applicant, expert = from_misconduct(
        review_id="r-1",
        application_id="a-1",
        applicant_id="acct-1",
        applicant_key="620821199001011234",
        applicant_name="李四",
        recommending_expert_id="expert-acct",
        reason="举荐材料捏造事实",
        confirmed_on=date(2026, 3, 1),
        org_path="/c/u/",
    )
    assert applicant.person_key == "620821199001011234" and expert.person_key == "expert-acct"
    assert {applicant.rule, expert.rule} == {"POL-ER-3"}
    assert applicant.expires_on == expert.expires_on == date(2029, 2, 28)
    assert applicant.entry_id != expert.entry_id  # both kept, each once
    with pytest.raises(InvalidInput) as refused:
        not_on_integrity_blacklist(asdict(applicant), date(2029, 2, 28))
    assert refused.value.rule == "POL-ER-3"


def test_pol_er_3_a_registry_entry_without_a_rule_is_the_research_integrity_blacklist() -> None:
    entry = {"listed_on": "2026-01-10", "expires_on": None, "source": "registry"}
    with pytest.raises(InvalidInput) as refused:
        not_on_integrity_blacklist(entry, date(2030, 1, 1))
    assert refused.value.rule == "POL-ER-3" and refused.value.extra["source"] == "registry"
