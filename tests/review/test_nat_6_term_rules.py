"""NAT-6 as pure rules: an expert's term and a committee's filing last at most 3 years (3 years and a
day is refused); a term that ended yesterday cannot sit; a lapsed filing opens no session; a new
term may not overlap a recorded one."""

from __future__ import annotations

from datetime import date

import pytest
from review_service.domain.committee import Committee, form_committee
from review_service.domain.events import ExpertAppointed
from review_service.domain.pool import PoolMember, appoint
from review_service.domain.rules import CommitteeSizeRule, check_three_year_term, latest_term_end
from review_service.service_layer.pool_queries import PoolExpert
from zhicheng_kernel.errors import Conflict, InvalidInput
from zhicheng_kernel.testing import envelope

START = date(2026, 3, 1)


def test_nat_6_a_term_of_three_years_is_accepted_and_one_day_more_refused() -> None:
    assert latest_term_end(START) == date(2029, 2, 28)
    check_three_year_term(START, date(2029, 2, 28), what_zh="专家聘期", field="term_ends_on")
    with pytest.raises(InvalidInput) as err:
        check_three_year_term(START, date(2029, 3, 1), what_zh="专家聘期", field="term_ends_on")
    assert (err.value.code, err.value.rule, err.value.field) == ("term_too_long", "NAT-6", "term_ends_on")
    with pytest.raises(InvalidInput) as err:
        check_three_year_term(START, date(2026, 2, 28), what_zh="专家聘期", field="term_ends_on")
    assert err.value.code == "term_ends_before_start"


def test_nat_6_a_term_from_29_february_ends_on_28_february_three_years_later() -> None:
    assert latest_term_end(date(2028, 2, 29)) == date(2031, 2, 28)


def _expert(ends_on: date) -> PoolExpert:
    return PoolExpert("e1", "city", ("卫生系列",), "临床医学", "senior", "hospital", date(2023, 6, 1), ends_on)


def test_nat_6_a_term_ending_yesterday_cannot_sit_today() -> None:
    today = date(2026, 6, 1)
    assert not _expert(date(2026, 5, 31)).term_running(today)
    assert _expert(today).term_running(today)  # the last day of the term still sits


def _appointed(starts: date, ends: date) -> ExpertAppointed:
    return ExpertAppointed(
        account_id="e1",
        organizing_org_id="city",
        series=["卫生系列"],
        specialty="临床医学",
        title_level="senior",
        employer_org_id="hospital",
        term_starts_on=starts,
        term_ends_on=ends,
    )


def test_nat_6_a_new_term_may_follow_the_last_but_not_overlap_it() -> None:
    first = _appointed(START, date(2029, 2, 28))
    member = PoolMember.from_events("e1", [envelope("review-service", first, stream_id="e1")])
    facts = {
        "organizing_org_id": "city",
        "series": ["卫生系列"],
        "specialty": "临床医学",
        "title_level": "senior",
        "employer_org_id": "hospital",
    }
    with pytest.raises(Conflict) as err:
        appoint(member, **facts, term_starts_on=date(2029, 2, 28), term_ends_on=date(2030, 1, 1))
    assert (err.value.code, err.value.rule) == ("term_overlaps", "NAT-6")
    again = appoint(member, **facts, term_starts_on=date(2029, 3, 1), term_ends_on=date(2032, 2, 29))
    assert again.term_ends_on == date(2032, 2, 29)
    with pytest.raises(InvalidInput):
        appoint(member, **facts, term_starts_on=date(2029, 3, 1), term_ends_on=date(2032, 3, 1))


def _committee(filed_on: date, expires: date | None = None) -> Committee:
    formed = form_committee(
        "c1",
        name="平凉市卫生系列中级评审委员会",
        series="卫生系列",
        level="intermediate",
        organizing_org_id="city",
        expert_ids=["a", "b", "c"],
        specialty=None,
        size_rule=CommitteeSizeRule(),
        filed_on=filed_on,
        filing_expires_on=expires,
    )
    committee = Committee.from_events([envelope("review-service", formed, stream_id="c1")])
    assert committee is not None
    return committee


def test_nat_6_a_committee_filing_lasts_at_most_three_years_and_a_lapsed_one_opens_no_session() -> None:
    committee = _committee(START)
    assert committee.filing_expires_on == date(2029, 2, 28)
    committee.check_may_open(date(2029, 2, 28))
    with pytest.raises(Conflict) as err:
        committee.check_may_open(date(2029, 3, 1))
    assert (err.value.code, err.value.rule) == ("committee_filing_expired", "NAT-6")
    shorter = _committee(START, date(2027, 2, 28))
    with pytest.raises(Conflict):
        shorter.check_may_open(date(2027, 3, 1))
    with pytest.raises(InvalidInput) as too_long:
        _committee(START, date(2029, 3, 1))
    assert (too_long.value.code, too_long.value.field) == ("term_too_long", "filing_expires_on")
