"""Forming a committee: an odd number of experts, and enough of them for a senior committee (NAT-6)."""

from __future__ import annotations

from datetime import date

import pytest
from review_service.domain.committee import Committee, form_committee
from review_service.domain.rules import CommitteeSizeRule, check_committee_size
from zhicheng_kernel.errors import InvalidInput
from zhicheng_kernel.testing import envelope

DEFAULT = CommitteeSizeRule()


def test_committee_with_even_number_of_experts_is_refused_nat6() -> None:
    with pytest.raises(InvalidInput) as err:
        check_committee_size("intermediate", 6, by_specialty=False, rule=DEFAULT)
    assert (err.value.code, err.value.rule, err.value.field) == ("committee_size_even", "NAT-6", "expert_ids")


def test_senior_committee_by_series_needs_25_experts_nat6() -> None:
    check_committee_size("senior", 25, by_specialty=False, rule=DEFAULT)
    with pytest.raises(InvalidInput) as err:
        check_committee_size("deputy_senior", 23, by_specialty=False, rule=DEFAULT)
    assert (err.value.code, err.value.rule) == ("committee_too_small", "NAT-6")


def test_senior_committee_by_specialty_needs_11_experts_nat6() -> None:
    check_committee_size("senior", 11, by_specialty=True, rule=DEFAULT)
    with pytest.raises(InvalidInput):
        check_committee_size("senior", 9, by_specialty=True, rule=DEFAULT)


def test_intermediate_committee_has_no_national_minimum_but_a_configurable_one_nat6() -> None:
    check_committee_size("intermediate", 5, by_specialty=False, rule=DEFAULT)
    with pytest.raises(InvalidInput):
        check_committee_size("intermediate", 5, by_specialty=False, rule=CommitteeSizeRule(other_minimum=7))


def test_forming_a_committee_drops_duplicate_experts_before_counting_nat6() -> None:
    with pytest.raises(InvalidInput) as err:
        form_committee(
            "c1",
            name="n",
            series="工程",
            level="intermediate",
            organizing_org_id="o",
            expert_ids=["a", "b", "b"],  # three names, two experts: even
            specialty=None,
            size_rule=DEFAULT,
            filed_on=date(2026, 3, 1),
        )
    assert err.value.rule == "NAT-6"


def test_a_formed_committee_is_rebuilt_from_its_stream() -> None:
    formed = form_committee(
        "c1",
        name="平凉市工程系列中级评审委员会",
        series="工程",
        level="intermediate",
        organizing_org_id="o1",
        expert_ids=["a", "b", "c"],
        specialty=None,
        size_rule=DEFAULT,
        filed_on=date(2026, 3, 1),
    )
    committee = Committee.from_events([envelope("review-service", formed, stream_id="c1")])
    assert committee is not None
    assert (committee.committee_id, committee.expert_ids, committee.version) == ("c1", ("a", "b", "c"), 1)
    assert (committee.filed_on, committee.filing_expires_on) == (date(2026, 3, 1), date(2029, 2, 28))  # NAT-6
    assert Committee.from_events([]) is None
