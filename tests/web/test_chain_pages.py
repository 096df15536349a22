"""The review chain's review page in a real browser: the unit's reviewer attests the facts an applicant
declared (NAT-7) — a correction without its reason is refused on its row; with the reason it is recorded,
the application shows its facts as attested and the eligibility report the correction beside the
declared value."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from playwright.sync_api import Page, expect
from zhicheng_kernel.calendar import CHINA_TZ

from tests.api_client import Api, unique_name
from tests.e2e.walk import accepted, eventually
from tests.harness import Stack
from tests.org_tree import OrgTree
from tests.web.browser import open_signed_in

pytestmark = pytest.mark.stack
expect.set_options(timeout=15_000)  # a loaded 2-core machine is slow, not broken (browser.TIMEOUT_MS)


@pytest.fixture(scope="module")
def api(stack: Stack) -> Api:
    return Api(stack)


def test_the_units_reviewer_attests_the_declared_facts(api: Api, page: Page) -> None:
    year = datetime.now(CHINA_TZ).year
    api.publish_schedule(year)
    unit = OrgTree(api).state_unit(unique_name("平凉市第六人民医院"))
    reviewer = unit.clerk("孙丽", ["applicant_management", "unit_review"])
    applicant = reviewer.register_applicant("周强")
    body = {
        "year": year,
        "series": "卫生系列",
        "specialty": "内科",
        "level": "intermediate",
        "education": {"level": "bachelor", "major_matches_work": True},
        "current_title": {"level": "junior", "obtained_on": f"{year - 8}-07-01"},
        "work": {"months_in_current_specialty": 120, "rural_months": 60, "months_at_next_lower_post": 96},
    }
    submitted = eventually(
        "the applicant known to application-service",
        accepted(lambda: api.post("application-service", "/api/v1/applications", applicant.token, body), 201),
    )
    application_id = str(submitted["id"])

    open_signed_in(page, {"access_token": reviewer.token}, f"/review/{application_id}")
    expect(page.locator("[data-test=review-status]")).to_contain_text("已提交")
    page.locator("[data-test=review-attest]").click()
    dialog = page.locator("[data-test=attest-dialog]")
    row = dialog.locator(".el-table__row", has_text="在农村或基层工作（月）")
    expect(row).to_contain_text("60")
    row.locator(".el-checkbox").click()
    row.locator(".el-input-number input").fill("48")
    dialog.locator("[data-test=attest-confirm]").click()
    expect(row).to_contain_text("更正申报事实时必须说明理由")  # refused on its row, nothing sent
    row.locator("input[placeholder='更正理由（必填）']").fill("劳动合同显示在乡镇卫生院工作4年")
    dialog.locator("[data-test=attest-confirm]").click()

    expect(page.locator("[data-test=facts-attested]")).to_be_visible()
    report = page.locator("[data-test=eligibility-report]")
    attested = report.locator(".el-table__row", has_text="在农村或基层工作（月）")
    expect(attested).to_contain_text("48")
    expect(attested).to_contain_text("劳动合同显示在乡镇卫生院工作4年")
    expect(page.locator("[data-test=review-attest]")).to_have_text(re.compile("重新核实事实"))
