"""POL-FI-1, pure: what a push batch files with the province, and the province's verdict on an
application (approved; returned to the city office, which returns it down the chain)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from application_service.domain import events as ev
from application_service.domain.application import Application
from application_service.domain.filing import Batch, Employer, filing_item, filing_stage, filing_submission, pending
from application_service.settings import ApplicationSettings
from pydantic import ValidationError
from zhicheng_kernel.errors import Conflict, InvalidInput
from zhicheng_kernel.provincial import MAX_ITEMS, FilingSubmission

from tests.application.test_domain_rules import (
    DEPT_REVIEWER,
    OFFICE_REVIEWER,
    UNIT_REVIEWER,
    apply,
    decide,
    submitted_application,
)
from tests.filing.province import production_province

DECIDED_AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
REPORT = {
    "schema_version": 2,
    "as_of": "2026-11-01",
    "eligible": True,
    "committee_required": True,
    "quota_pool": {"pool": "structure_ratio"},
    "annotations": ["乡村不受指标限制"],
    "remarks": ["非在编人员"],
    "basis": "attested",
    "outcomes": [
        {"rule_id": "POL-PA-4", "outcome": "pass", "binding": "item", "explanation_zh": "论文查重通过"},
        {"rule_id": "POL-GR-2", "outcome": "pass", "explanation_zh": "乡村"},
    ],
}


def pushed_application(push_id: str = "push-1") -> Application:
    app = submitted_application(papers=1)
    apply(
        app,
        [
            ev.PaperCheckRecorded(
                application_id=app.id,
                paper_id="p0",
                check_id="c0",
                copy_ratio=0.05,
                threshold=0.2,
                decision="pass",
                ratios={"total": 0.08, "excluding_own": 0.05},
            ),
            ev.PublicityStarted(
                application_id=app.id,
                starts_on="2026-10-08",
                org_id="school",
                recorded_by="u1",
                started_at="2026-10-08T09:00:00+08:00",
            ),
            ev.EligibilityAssessed.model_validate({"application_id": app.id, **REPORT}),
        ],
    )
    for reviewer in (UNIT_REVIEWER, DEPT_REVIEWER, OFFICE_REVIEWER):
        apply(app, decide(app, reviewer))
    apply(app, app.push(push_id, ["乡村不受指标限制"], ["非在编人员"]))
    assert app.status == "pushed"
    return app


def verdict(app: Application, what: str, push_id: str = "push-1", reasons: list[str] | None = None) -> list:  # type: ignore[type-arg]
    return app.province_verdict(push_id, what, reasons or [], DECIDED_AT, f"msg_{app.id}", "省职改办 张三")


def test_pol_fi_1_the_filing_carries_the_key_information_of_each_application() -> None:
    app = pushed_application()
    ends_at = datetime(2026, 10, 14, 16, 0, tzinfo=UTC)
    item = filing_item(app, Employer("school", "平凉市第一中学", "state_unit"), ends_at)
    assert item.applicant.name == "张三" and item.employer.kind == "public_institution"
    assert (item.series, item.level, item.specialty, item.track) == ("卫生系列", "intermediate", "临床医学", "normal")
    assert [(o.rule, o.outcome, o.binding) for o in item.outcomes] == [
        ("POL-PA-4", "pass", "item"),
        ("POL-GR-2", "pass", None),
    ]
    assert item.outcomes[0].reason == "论文查重通过"
    assert item.annotations == ["乡村不受指标限制"] and item.remarks == ["非在编人员"]
    (paper,) = item.paper_checks
    assert paper.status == "pass" and paper.ratios == {"total": 0.08, "excluding_own": 0.05}
    assert item.unit_publicity is not None and item.unit_publicity.ends_at == ends_at
    batch = Batch("push-1", 2026, "卫生系列", "intermediate", "county", "崆峒区职改办", [app.id])
    filing = filing_submission(batch, [item], "https://city.example/api/v1/provincial/callbacks")
    assert filing.filing_id == "push-1" and filing.city_code == "620800"
    assert FilingSubmission.model_validate_json(filing.model_dump_json()) == filing  # within the wire's bounds


def test_pol_fi_1_a_state_owned_enterprise_is_filed_as_such_and_long_texts_are_cut_to_the_wire_bounds() -> None:
    app = pushed_application()
    item = filing_item(app, Employer("ent", "平" * 500, "state_unit", "enterprise"), None)
    assert item.employer.kind == "state_owned_enterprise" and len(item.employer.name) == 200
    assert item.unit_publicity is None  # the end of the publicity unknown: not filed
    assert MAX_ITEMS >= 1


def test_pol_fi_1_an_approved_application_may_enter_a_committee() -> None:
    app = pushed_application()
    (recorded,) = verdict(app, "approved")
    assert recorded.event_type == "ProvincialVerdictRecorded" and recorded.org_id == "school"
    apply(app, [recorded])
    assert app.status == "filing_approved" and app.filing is not None
    assert verdict(app, "approved") == []  # the same verdict again: nothing new
    assert app.committee_review_started("s1")[0].event_type == "CommitteeReviewStarted"


def test_pol_fi_1_a_returned_application_goes_back_to_the_city_office_with_the_reasons() -> None:
    app = pushed_application()
    apply(app, verdict(app, "returned", reasons=["继续教育学时不足"]))
    assert app.status == "returned_by_province" and app.filing["reasons"] == ["继续教育学时不足"]  # type: ignore[index]
    assert app.committee_review_started("s1") == []  # never into a committee
    with pytest.raises(Conflict) as refused:
        app.push("push-2", [])
    assert refused.value.code == "not_office_approved"
    with pytest.raises(Conflict) as again:
        decide(app, OFFICE_REVIEWER, "approve")
    assert again.value.code == "returned_by_province" and again.value.rule == "POL-FI-1"
    # The office returns it down the chain with the province's reasons; corrected, it comes up again.
    apply(app, decide(app, OFFICE_REVIEWER, "return", "省职改办退回：继续教育学时不足"))
    assert app.status == "returned"
    apply(app, app.resubmit("a1", [], []))
    for reviewer in (UNIT_REVIEWER, DEPT_REVIEWER, OFFICE_REVIEWER):
        apply(app, decide(app, reviewer))
    apply(app, app.push("push-2", []))
    assert app.status == "pushed" and app.filing is None
    assert verdict(app, "approved", push_id="push-2")[0].push_id == "push-2"


def test_pol_fi_1_a_verdict_on_another_batch_or_a_changed_verdict_is_refused() -> None:
    app = pushed_application()
    with pytest.raises(InvalidInput) as foreign:
        verdict(app, "approved", push_id="push-other")
    assert foreign.value.code == "not_filed" and foreign.value.rule == "POL-FI-1"
    apply(app, verdict(app, "approved"))
    with pytest.raises(Conflict) as changed:
        verdict(app, "returned")
    assert changed.value.code == "verdict_already_recorded"


def test_pol_fi_1_the_batch_stage_follows_delivery_and_verdicts() -> None:
    ids = ["a", "b"]
    assert filing_stage(False, ids, {}) == "delivering"
    assert filing_stage(True, ids, {"a": {}}) == "waiting_for_province"
    assert pending(ids, {"a": {}}) == ["b"]
    assert filing_stage(True, ids, {"a": {}, "b": {}}) == "done"


def test_pol_fi_1_production_refuses_to_start_without_the_province_or_with_compressed_filing_durations(
    tmp_path: Path,
) -> None:
    production = {"environment": "production", "service_client_secret": "s"}
    with pytest.raises(ValidationError, match="ZC_PROVINCE_CLIENT_ID"):
        ApplicationSettings(**production)
    province = production_province(tmp_path)
    assert ApplicationSettings(**production, **province).filing_verdict_deadline_seconds == 15 * 86_400
    with pytest.raises(ValidationError, match="compressed filing durations"):
        ApplicationSettings(**production, **province, filing_verdict_deadline_seconds=5)
    compressed = ApplicationSettings(environment="test", filing_verdict_deadline_seconds=5, filing_recheck_seconds=1)
    assert compressed.filing_verdict_deadline_seconds == 5
