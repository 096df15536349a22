"""NAT-9 (review panels of at least 3 experts, an odd number) and POL-VD-1 (online video defenses for
intermediate and senior candidates) in the panel aggregate, without servers. The same rules over HTTP
are in test_pol_vd_1_video_defense.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from application_service.domain.application import Application
from application_service.domain.events import ApplicationPushed
from review_service.domain.events import DefenseScore
from review_service.domain.panel import (
    Panel,
    PanelCandidate,
    check_panel_size,
    check_video_mode,
    defense_required,
    form_panel,
)
from zhicheng_kernel.errors import Conflict, DomainError, InvalidInput
from zhicheng_kernel.testing import envelope

POOL = {"e-a": "org-1", "e-b": "org-2", "e-c": "org-3", "e-d": "org-4", "e-e": "hospital"}
CANDIDATES = [
    PanelCandidate("app-1", "applicant-1", "hospital", "intermediate"),
    PanelCandidate("app-2", "applicant-2", "school", "deputy_senior", defense_replaced_by="POL-FL-3"),
    PanelCandidate("app-3", "applicant-3", "school", "junior"),
]
START = datetime(2026, 11, 30, 1, tzinfo=UTC)


def panel_of(size: int = 5, seed: str = "seed-1") -> Panel:
    formed = form_panel(
        "panel-1",
        session_id="session-1",
        organizing_org_id="office",
        specialty="临床医学",
        size=size,
        seed=seed,
        expert_employers=POOL,
        candidates=CANDIDATES,
    )
    panel = Panel.from_events([envelope("review-service", formed, stream_id="panel-1", version=1)])
    assert panel is not None
    return panel


@pytest.mark.parametrize("size", [2, 4, 1, 0, 6])
def test_nat_9_a_panel_of_an_even_number_or_fewer_than_3_is_refused(size: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_panel_size(size)
    assert refused.value.code == "invalid_panel_size" and refused.value.rule == "NAT-9"
    assert refused.value.field == "size"


@pytest.mark.parametrize("size", [3, 5, 7])
def test_nat_9_a_panel_of_3_5_or_7_is_accepted(size: int) -> None:
    check_panel_size(size)


def test_nat_9_the_same_seed_draws_the_same_panel_and_another_seed_may_not() -> None:
    first, again = panel_of(3, "seed-x"), panel_of(3, "seed-x")
    assert first.expert_ids == again.expert_ids and len(first.expert_ids) == 3
    assert set(first.expert_ids) <= set(POOL)
    draws = {tuple(panel_of(3, f"seed-{i}").expert_ids) for i in range(20)}
    assert len(draws) > 1


def test_nat_9_too_small_a_pool_is_refused_with_nat_4s_not_enough_experts() -> None:
    with pytest.raises(InvalidInput) as refused:
        panel_of(7)
    assert refused.value.code == "not_enough_experts"


def test_nat_4_an_expert_of_the_candidates_employer_does_not_score_that_candidate() -> None:
    panel = panel_of(5)
    assert panel.recusals == {"app-1": ["e-e"]}
    assert "e-e" not in panel.judges_of("app-1") and "e-e" in panel.judges_of("app-2")
    scheduled = panel.schedule_defense(
        "app-1",
        "applicant-1",
        starts_at=START,
        ends_at=START + timedelta(minutes=30),
        provider="local",
        room_id="r1",
        join_url="http://x/video/rooms/r1",
    )
    assert scheduled.expert_ids == panel.judges_of("app-1")
    panel.scheduled["app-1"] = scheduled
    scores = [DefenseScore(expert_id=e, score=80, opinion="好") for e in panel.expert_ids]
    with pytest.raises(InvalidInput) as refused:
        panel.record_defense("app-1", attended=True, recording_ref="rec-1", scores=scores)
    assert refused.value.code == "recused_expert_scored" and refused.value.rule == "NAT-4"


def test_pol_vd_1_junior_and_replaced_defenses_need_no_defense() -> None:
    assert defense_required("intermediate", None) and defense_required("senior", None)
    assert not defense_required("junior", None)
    assert not defense_required("deputy_senior", "POL-FL-3")
    panel = panel_of()
    assert panel.defense_application_ids == ["app-1"]
    for application_id in ("app-2", "app-3"):
        with pytest.raises(InvalidInput) as refused:
            panel.schedule_defense(
                application_id, "x", starts_at=START, ends_at=START, provider="local", room_id="r", join_url="u"
            )
        assert refused.value.code == "defense_not_required" and refused.value.rule == "POL-VD-1"


@pytest.mark.parametrize("mode", ["in_person", "onsite", "VIDEO", ""])
def test_pol_vd_1_there_is_no_in_person_mode(mode: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_video_mode(mode)
    assert refused.value.code == "video_defense_only" and refused.value.rule == "POL-VD-1"
    check_video_mode("video")


def test_pol_vd_1_the_record_needs_every_judges_score_and_the_opinion_waits_for_the_defense() -> None:
    panel = panel_of()
    with pytest.raises(Conflict) as early:
        panel.record_opinion("app-1", "recommend", "同意")
    assert early.value.code == "defense_not_recorded" and early.value.rule == "POL-VD-1"
    with pytest.raises(Conflict):
        panel.record_defense("app-1", attended=True, recording_ref="rec", scores=[])
    panel.scheduled["app-1"] = panel.schedule_defense(
        "app-1", "applicant-1", starts_at=START, ends_at=START, provider="local", room_id="r", join_url="u"
    )
    judges = panel.judges_of("app-1")
    partial = [DefenseScore(expert_id=e, score=70, opinion="可") for e in judges[:-1]]
    with pytest.raises(InvalidInput) as incomplete:
        panel.record_defense("app-1", attended=True, recording_ref="rec", scores=partial)
    assert incomplete.value.code == "scores_incomplete"
    with pytest.raises(InvalidInput):
        panel.record_defense("app-1", attended=False, recording_ref=None, scores=partial)
    full = [DefenseScore(expert_id=e, score=70, opinion="可") for e in judges]
    recorded = panel.record_defense("app-1", attended=True, recording_ref="rec", scores=full)
    panel.recorded["app-1"] = recorded
    assert not panel.complete()
    for application_id in panel.application_ids:
        panel.opinions[application_id] = panel.record_opinion(application_id, "recommend", "同意推荐")
    assert panel.complete()
    with pytest.raises(DomainError) as twice:
        panel.record_opinion("app-2", "not_recommend", "改变主意")
    assert twice.value.code == "opinion_already_recorded"


# -- application-service: the push names the rule that replaced the defense ------------------------------


def _office_approved(outcomes: list[dict[str, object]]) -> Application:
    app = Application("a", version=3, status="office_approved", chain=[], step_index=0)
    app.submitted = {
        "year": 2026,
        "series": "卫生系列",
        "specialty": "临床医学",
        "level": "deputy_senior",
        "applicant_id": "p",
        "applicant_name": "李四",
        "org_id": "u",
        "org_path": "/c/u/",
        "county_code": "620821",
        "papers": [],
        "facts": {},
    }
    app.attested_eligibility = {"outcomes": outcomes, "annotations": [], "blocking": []}
    return app


def _fl_3(outcome: str, recognised: list[str]) -> dict[str, object]:
    details = {"recognised_results": recognised, "other_results": [], "paper_required": False}
    return {"rule_id": "POL-FL-3", "outcome": outcome, "binding": "hard", "explanation_zh": "", "details": details}


def test_pol_vd_1_a_front_line_candidate_with_recognised_epidemic_results_is_pushed_without_a_defense() -> None:
    (pushed,) = _office_approved([_fl_3("pass", ["treatment_plan"])]).push("push-1", [])
    assert isinstance(pushed, ApplicationPushed) and pushed.defense_replaced_by == "POL-FL-3"


@pytest.mark.parametrize(
    "outcomes",
    [[], [_fl_3("pass", [])], [_fl_3("warn", ["treatment_plan"])], [_fl_3("not_applicable", [])]],
    ids=["no_report_outcome", "papers_only", "unrecognised_results", "not_front_line"],
)
def test_pol_vd_1_every_other_candidate_is_pushed_to_defend(outcomes: list[dict[str, object]]) -> None:
    (pushed,) = _office_approved(outcomes).push("push-1", [])
    assert isinstance(pushed, ApplicationPushed) and pushed.defense_replaced_by is None
