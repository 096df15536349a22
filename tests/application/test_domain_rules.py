"""Pure domain tests of application-service: no database, no broker, no HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from application_service.domain.application import Application, submit
from application_service.domain.commands import (
    CreatePush,
    DecideApplication,
    PaperInput,
    Reviewer,
    SubmitApplication,
)
from application_service.domain.policy.papers import plagiarism_gate
from application_service.domain.push import plan_push
from application_service.domain.push_window import window_closes_at
from application_service.domain.rules import (
    OrgNode,
    county_code,
    grassroots_track_allowed,
    published_not_in_future,
    push_window_open,
    review_chain,
    series_in_schedule,
)
from application_service.domain.schedule import SCHEDULE_2021, schedule_2021
from zhicheng_kernel.calendar import CHINA_TZ
from zhicheng_kernel.errors import ConcurrencyError, Conflict, DomainError, Forbidden, InvalidInput, NotFound

# -- an org tree: city office → county office → county education department → school -------------

CITY = OrgNode("city", "title_office", "/city/", "city", "620800")
COUNTY = OrgNode("county", "title_office", "/city/county/", "county", "620802")
DEPT = OrgNode("dept", "government_department", "/city/county/dept/", "county", "620802")
SCHOOL = OrgNode("school", "state_unit", "/city/county/dept/school/", "county", "620802")
SUB = OrgNode("sub", "state_unit", "/city/county/dept/school/sub/", "county", "620802")
ENTERPRISE = OrgNode("ent", "private_enterprise", "/city/county/ent/", "county", "620802")
ORPHAN = OrgNode("orphan", "state_unit", "/root/orphan/", "city", "620800")
TREE = {o.org_id: o for o in (CITY, COUNTY, DEPT, SCHOOL, SUB, ENTERPRISE, ORPHAN)}


def test_nat7_chain_goes_unit_department_title_office() -> None:
    """NAT-7: employer → nearest government department → nearest title office."""
    chain = review_chain(SCHOOL, TREE)
    assert [(s.step, s.org_id) for s in chain] == [
        ("unit", "school"),
        ("department", "dept"),
        ("title_office", "county"),
    ]


def test_nat7_chain_uses_the_nearest_ancestors_for_a_sub_unit() -> None:
    """NAT-7: a unit under a unit still goes to the nearest department and office above it."""
    chain = review_chain(SUB, TREE)
    assert [s.org_id for s in chain] == ["sub", "dept", "county"]


def test_nat7_chain_skips_the_department_step_when_there_is_none() -> None:
    """NAT-7: a private enterprise created by the county office has no competent department."""
    chain = review_chain(ENTERPRISE, TREE)
    assert [(s.step, s.org_id) for s in chain] == [("unit", "ent"), ("title_office", "county")]


def test_nat7_chain_without_a_title_office_is_refused() -> None:
    """NAT-7: the title office step is required."""
    with pytest.raises(InvalidInput) as err:
        review_chain(ORPHAN, TREE)
    assert err.value.code == "no_title_office"


def test_county_code_is_taken_from_the_county_level() -> None:
    assert county_code(SCHOOL, TREE) == "620802"


# -- SCHED ----------------------------------------------------------------------------------------------


def test_sched1_catalogue_has_the_2021_months() -> None:
    """SCHED-1: 14 series in October, 10 in November, 5 in December."""
    months = [e.push_month for e in SCHEDULE_2021.values()]
    assert (months.count(10), months.count(11), months.count(12)) == (14, 10, 5)
    assert SCHEDULE_2021["卫生系列"].push_month == 12
    assert SCHEDULE_2021["林业(农口)工程专业"].grassroots


def test_sched4_the_2021_schedule_applies_to_other_years() -> None:
    """SCHED-4: 2021 is the default for a year without its own schedule."""
    assert series_in_schedule(schedule_2021(2026), "会计系列").push_month == 10


def test_sched1_unknown_series_is_refused() -> None:
    """SCHED-1: only series of the schedule."""
    with pytest.raises(InvalidInput) as err:
        series_in_schedule(schedule_2021(2026), "魔法系列")
    assert err.value.field == "series"


def test_sched2_series_names_accept_the_grassroots_mark_and_full_width_brackets() -> None:
    """SCHED-2: "(含基层有效)" is a flag of the series, not part of its name."""
    entry = series_in_schedule(schedule_2021(2026), "卫生系列（含基层有效）")
    assert entry.series == "卫生系列" and entry.grassroots


def test_sched2_grassroots_track_only_for_marked_series() -> None:
    """SCHED-2: grassroots track accepted for 卫生系列(含基层有效), refused for 会计系列."""
    schedule = schedule_2021(2026)
    grassroots_track_allowed(series_in_schedule(schedule, "卫生系列"), "grassroots")
    grassroots_track_allowed(series_in_schedule(schedule, "会计系列"), "normal")
    with pytest.raises(InvalidInput) as err:
        grassroots_track_allowed(series_in_schedule(schedule, "会计系列"), "grassroots")
    assert err.value.code == "grassroots_track_not_offered"
    assert err.value.field == "track"
    assert err.value.status == 422


def test_sched1_deadline_is_month_end_in_shanghai() -> None:
    """SCHED-1: October's window closes at 24:00 on 31 October Asia/Shanghai (= 16:00 UTC)."""
    assert window_closes_at(2026, 10).astimezone(UTC) == datetime(2026, 10, 31, 16, 0, 0, tzinfo=UTC)
    assert window_closes_at(2024, 2) == datetime(2024, 3, 1, tzinfo=CHINA_TZ)


def test_sched1_push_one_second_before_month_end_is_allowed() -> None:
    """SCHED-1: 23:59:59 on the last day of the push month (Asia/Shanghai) is still in time."""
    entry = SCHEDULE_2021["会计系列"]  # October
    push_window_open(entry, 2026, datetime(2026, 10, 31, 23, 59, 59, tzinfo=CHINA_TZ))


def test_sched1_push_one_second_after_month_end_is_refused() -> None:
    """SCHED-1: 00:00:00 on 1 November Asia/Shanghai is too late ("不得延后")."""
    entry = SCHEDULE_2021["会计系列"]
    with pytest.raises(InvalidInput) as err:
        push_window_open(entry, 2026, datetime(2026, 11, 1, 0, 0, 0, tzinfo=CHINA_TZ))
    assert err.value.code == "push_window_closed"


def test_sched1_is_judged_in_shanghai_not_utc() -> None:
    """SCHED-1: 31 Oct 16:00 UTC is already 1 Nov in Shanghai → refused; 15:59:59 UTC allowed."""
    entry = SCHEDULE_2021["会计系列"]
    push_window_open(entry, 2026, datetime(2026, 10, 31, 15, 59, 59, tzinfo=UTC))
    with pytest.raises(InvalidInput):
        push_window_open(entry, 2026, datetime(2026, 10, 31, 16, 0, 0, tzinfo=UTC))


def test_sched1_earlier_months_are_allowed() -> None:
    """SCHED-1: "可适当提前推送" — pushing in an earlier month (or year) is fine."""
    entry = SCHEDULE_2021["卫生系列"]  # December
    for month in (1, 6, 10, 11):
        push_window_open(entry, 2026, datetime(2026, month, 15, 12, tzinfo=CHINA_TZ))
    push_window_open(entry, 2026, datetime(2025, 12, 31, 23, tzinfo=CHINA_TZ))


def test_sched1_the_month_is_of_the_application_year() -> None:
    """SCHED-1: a 2025 December series pushed in January 2026 is late."""
    with pytest.raises(InvalidInput):
        push_window_open(SCHEDULE_2021["卫生系列"], 2025, datetime(2026, 1, 2, tzinfo=CHINA_TZ))


def test_paper_published_in_the_future_is_refused() -> None:
    published_not_in_future(date(2026, 5, 1), date(2026, 5, 1), "papers.0.published_on")
    with pytest.raises(InvalidInput) as err:
        published_not_in_future(date(2026, 5, 2), date(2026, 5, 1), "papers.0.published_on")
    assert err.value.field == "papers.0.published_on"


# -- POL-PA-4 -------------------------------------------------------------------------------------------


def test_pol_pa_4_gate_waits_for_every_check() -> None:
    """POL-PA-4: approval waits until every paper has a recorded check."""
    with pytest.raises(Conflict) as err:
        plagiarism_gate(["p1", "p2"], {"p1": {"decision": "pass"}})
    assert err.value.code == "plagiarism_checks_pending" and err.value.status == 409


def test_pol_pa_4_gate_lets_a_failed_paper_through_it_is_an_excluded_item_not_a_refusal() -> None:
    """POL-PA-4: a paper over its limit does not count (an excluded item of the report); the gate only
    waits for a verdict."""
    plagiarism_gate(["p1", "p2"], {"p1": {"decision": "pass"}, "p2": {"decision": "fail"}})


def test_pol_pa_4_gate_refuses_a_paper_that_could_not_be_checked_and_says_why() -> None:
    """POL-PA-4: a paper the automatic check refused needs the employer's uploaded report instead."""
    checks = {"p1": {"decision": "rejected", "reason": "论文内容为空"}}
    with pytest.raises(InvalidInput) as err:
        plagiarism_gate(["p1"], checks)
    assert err.value.code == "plagiarism_check_rejected"
    assert err.value.extra["reasons"] == ["论文内容为空"]


def test_pol_pa_4_gate_passes_when_all_pass_or_no_papers() -> None:
    """POL-PA-4: all checks passed (or no paper at all) → the gate is open."""
    plagiarism_gate(["p1"], {"p1": {"decision": "pass"}})
    plagiarism_gate([], {})


# -- the aggregate: one level at a time (NAT-7) -----------------------------------------------------------

UNIT_REVIEWER = Reviewer("u1", "school", frozenset({"unit_review"}))
DEPT_REVIEWER = Reviewer("d1", "dept", frozenset({"department_review"}))
OFFICE_REVIEWER = Reviewer("o1", "county", frozenset({"title_office_review"}))
PAPER = PaperInput("论文", "期刊", "core", date(2025, 3, 1), ["张三"], "正文" * 10)


def submitted_application(unit: OrgNode = SCHOOL, papers: int = 1) -> Application:
    cmd = SubmitApplication(
        "a1", "张三", unit.org_id, 2026, "卫生系列", "临床医学", "intermediate", "normal", [PAPER] * papers
    )
    new = submit(
        "app-1",
        cmd,
        org_path=unit.path,
        county_code="620802",
        chain=review_chain(unit, TREE),
        paper_ids=[f"p{i}" for i in range(papers)],
    )
    return Application.rebuild("app-1", new)


def apply(app: Application, new: list) -> Application:  # type: ignore[type-arg]
    for e in new:
        app.apply(e)
        app.version += 1
    return app


def decide(app: Application, reviewer: Reviewer, decision: str = "approve", opinion: str = "同意") -> list:  # type: ignore[type-arg]
    return app.decide(DecideApplication(app.id, decision, opinion, app.version, reviewer))  # type: ignore[arg-type]


def test_submission_emits_submitted_and_one_check_request_per_paper() -> None:
    """POL-PA-4: every paper is sent for an automatic check at submission."""
    cmd = SubmitApplication(
        "a1", "张三", "school", 2026, "卫生系列", "临床医学", "intermediate", "normal", [PAPER, PAPER]
    )
    new = submit(
        "app-1",
        cmd,
        org_path=SCHOOL.path,
        county_code="620802",
        chain=review_chain(SCHOOL, TREE),
        paper_ids=["p0", "p1"],
    )
    assert [e.event_type for e in new] == ["ApplicationSubmitted", "PaperCheckRequested", "PaperCheckRequested"]
    assert new[1].text == PAPER.text and new[1].journal_level == "core"
    assert "text" not in new[0].papers[0]


def test_nat7_one_level_at_a_time_through_all_three_steps() -> None:
    """NAT-7: submitted → unit_approved → department_approved → office_approved."""
    app = submitted_application(papers=0)
    assert app.status == "submitted" and app.current_step()["step"] == "unit"  # type: ignore[index]
    apply(app, decide(app, UNIT_REVIEWER))
    assert app.status == "unit_approved" and app.current_step()["org_id"] == "dept"  # type: ignore[index]
    apply(app, decide(app, DEPT_REVIEWER))
    assert app.status == "department_approved"
    new = decide(app, OFFICE_REVIEWER)
    assert new[0].event_type == "TitleOfficeApproved"
    apply(app, new)
    assert app.status == "office_approved" and app.current_step() is None


def test_nat7_no_level_may_be_skipped() -> None:
    """NAT-7: the department or the office cannot decide while the unit has not."""
    app = submitted_application(papers=0)
    for reviewer in (DEPT_REVIEWER, OFFICE_REVIEWER):
        with pytest.raises(Forbidden) as err:
            decide(app, reviewer)
        assert err.value.code == "not_current_reviewer"


def test_nat7_the_right_org_without_the_step_role_is_refused() -> None:
    """NAT-7: the unit's account needs the unit_review role."""
    app = submitted_application(papers=0)
    with pytest.raises(Forbidden) as err:
        decide(app, Reviewer("u2", "school", frozenset({"push"})))
    assert err.value.code == "role_required"


def test_nat7_without_a_department_the_office_follows_the_unit() -> None:
    """NAT-7: the department step is skipped when the chain has none."""
    app = submitted_application(unit=ENTERPRISE, papers=0)
    apply(app, decide(app, Reviewer("e1", "ent", frozenset({"unit_review"}))))
    assert app.status == "unit_approved" and app.current_step()["step"] == "title_office"  # type: ignore[index]
    apply(app, decide(app, OFFICE_REVIEWER))
    assert app.status == "office_approved"


def test_a_stale_expected_version_is_a_concurrency_error() -> None:
    app = submitted_application(papers=0)
    with pytest.raises(ConcurrencyError):
        app.decide(DecideApplication(app.id, "approve", "", app.version - 1, UNIT_REVIEWER))


def test_return_needs_a_reason_and_ends_the_review() -> None:
    app = submitted_application(papers=0)
    with pytest.raises(InvalidInput):
        decide(app, UNIT_REVIEWER, "return", " ")
    new = decide(app, UNIT_REVIEWER, "return", "材料不全")
    assert new[0].event_type == "ApplicationReturned" and new[0].reasons == ["材料不全"]
    apply(app, new)
    assert app.status == "returned"
    with pytest.raises(Conflict) as err:
        decide(app, UNIT_REVIEWER)
    assert err.value.code == "not_under_review"


def _ratios(excluding_own: float) -> dict[str, float]:
    return {"total": 0.3, "excluding_quotes": 0.3, "excluding_own": excluding_own, "largest_source": 0.1}


def test_pol_pa_4_title_office_approval_waits_for_every_verdict() -> None:
    """POL-PA-4: the title office cannot approve before every paper's check is recorded; a paper over
    its limit is recorded as failed by this service and does not stop the approval."""
    app = submitted_application(papers=2)
    apply(app, decide(app, UNIT_REVIEWER))
    apply(app, decide(app, DEPT_REVIEWER))
    with pytest.raises(Conflict) as err:
        decide(app, OFFICE_REVIEWER)
    assert err.value.code == "plagiarism_checks_pending"
    core = {"ratio": "excluding_own", "journal_level": "core"}
    apply(app, app.record_check(paper_id="p0", check_id="c0", ratios=_ratios(0.1), **core))  # type: ignore[arg-type]
    apply(app, app.record_check(paper_id="p1", check_id="c1", ratios=_ratios(0.3), **core))  # type: ignore[arg-type]
    assert (app.checks["p0"]["decision"], app.checks["p1"]["decision"]) == ("pass", "fail")
    assert app.checks["p1"]["threshold"] == 0.15 and app.checks["p1"]["copy_ratio"] == 0.3
    apply(app, decide(app, OFFICE_REVIEWER))
    assert app.status == "office_approved"


def test_a_repeated_check_or_a_foreign_paper_records_nothing() -> None:
    app = submitted_application(papers=1)
    same = {"check_id": "c0", "ratios": _ratios(0.1), "ratio": "excluding_own", "journal_level": "core"}
    apply(app, app.record_check(paper_id="p0", **same))  # type: ignore[arg-type]
    assert app.record_check(paper_id="p0", **same) == []  # type: ignore[arg-type]
    assert app.record_check(paper_id="zz", **same) == []  # type: ignore[arg-type]


def test_only_the_first_committee_outcome_counts() -> None:
    app = submitted_application(papers=0)
    apply(app, app.decided("titled", "平职字〔2026〕1号"))
    assert app.status == "titled" and app.decided("not_passed", None) == []


# -- pushes ---------------------------------------------------------------------------------------------


def office_approved(unit: OrgNode = SCHOOL) -> Application:
    app = submitted_application(unit=unit, papers=0)
    for reviewer in (UNIT_REVIEWER, DEPT_REVIEWER, OFFICE_REVIEWER):
        apply(app, decide(app, reviewer))
    return app


def push_cmd(**overrides: object) -> CreatePush:
    values: dict[str, object] = dict(
        year=2026,
        series="卫生系列",
        level="intermediate",
        application_ids=["app-1"],
        pusher_id="o2",
        office_org_id="county",
        office_org_path="/city/county/",
    )
    values.update(overrides)
    return CreatePush(**values)  # type: ignore[arg-type]


IN_TIME = datetime(2026, 12, 31, 23, 59, 59, tzinfo=CHINA_TZ)


def test_sched1_push_in_time_creates_the_batch_and_pushes_each_application() -> None:
    """SCHED-1: a December series pushed at 23:59:59 on 31 December is accepted."""
    app = office_approved()
    plan = plan_push(push_cmd(), "push-1", {"app-1": app}, schedule_2021(2026), IN_TIME, {"a1": False})
    assert plan.batch.event_type == "PushBatchCreated" and plan.batch.application_ids == ["app-1"]
    (pushed,) = plan.pushed["app-1"]
    assert pushed.event_type == "ApplicationPushed" and pushed.push_id == "push-1"
    assert pushed.annotations == pushed.remarks == []  # C2/C3: only from a report (this one has none)


def test_sched1_push_one_second_late_is_refused() -> None:
    """SCHED-1: the same push at 00:00:00 on 1 January is refused."""
    app = office_approved()
    with pytest.raises(InvalidInput) as err:
        plan_push(push_cmd(), "push-1", {"app-1": app}, schedule_2021(2026), IN_TIME + timedelta(seconds=1), {})
    assert err.value.code == "push_window_closed"


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"series": "会计系列"}, InvalidInput),  # also late: October has passed → push_window_closed first
        ({"level": "senior"}, InvalidInput),
        ({"office_org_path": "/city/other/"}, Forbidden),
        ({"application_ids": ["nope"]}, NotFound),
    ],
)
def test_push_refuses_foreign_mismatched_or_unknown_applications(overrides: dict, error: type[DomainError]) -> None:  # type: ignore[type-arg]
    app = office_approved()
    with pytest.raises(error):
        plan_push(push_cmd(**overrides), "p", {"app-1": app}, schedule_2021(2026), IN_TIME, {})


def test_push_refuses_an_application_not_yet_office_approved() -> None:
    app = submitted_application(papers=0)
    with pytest.raises(Conflict) as err:
        plan_push(push_cmd(), "p", {"app-1": app}, schedule_2021(2026), IN_TIME, {})
    assert err.value.code == "not_office_approved"


# -- the injectable clock ---------------------------------------------------------------------------------


def test_sched1_fake_now_is_honoured_outside_production_only() -> None:
    """SCHED-1 tests need a clock they can set; a production process refuses ZC_FAKE_NOW at start."""
    from application_service.settings import ApplicationSettings
    from pydantic import ValidationError
    from zhicheng_kernel.clock import FixedClock, SystemClock
    from zhicheng_kernel.service import clock_from

    at = datetime(2026, 10, 31, 23, 59, 59, tzinfo=CHINA_TZ)
    clock = clock_from(ApplicationSettings(environment="test", fake_now=at))
    assert isinstance(clock, FixedClock) and clock.now() == at
    with pytest.raises(ValidationError, match="ZC_FAKE_NOW"):
        ApplicationSettings(environment="production", fake_now=at, service_client_secret="s")
    assert isinstance(clock_from(ApplicationSettings(environment="test")), SystemClock)
