// @vitest-environment jsdom
import { flushPromises, mount } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiProblem } from "@/api/problem";
import EligibilityPanel from "@/components/applicant/EligibilityPanel.vue";
import TimelinePanel from "@/components/applicant/TimelinePanel.vue";
import { applicantApi, type EligibilityReport } from "@/stores/applicant";

// Element Plus's style modules import .css files Node cannot load outside Vite's pipeline.
vi.mock("element-plus/es/components/alert/style/css", () => ({}));
vi.mock("element-plus/es/components/card/style/css", () => ({}));
vi.mock("element-plus/es/components/checkbox/style/css", () => ({}));
vi.mock("element-plus/es/components/descriptions/style/css", () => ({}));
vi.mock("element-plus/es/components/descriptions-item/style/css", () => ({}));
vi.mock("element-plus/es/components/empty/style/css", () => ({}));
vi.mock("element-plus/es/components/loading/style/css", () => ({}));
vi.mock("element-plus/es/components/space/style/css", () => ({}));
vi.mock("element-plus/es/components/tag/style/css", () => ({}));
vi.mock("element-plus/es/components/timeline/style/css", () => ({}));
vi.mock("element-plus/es/components/timeline-item/style/css", () => ({}));
vi.mock("element-plus/es/components/base/style/css", () => ({}));

afterEach(() => vi.restoreAllMocks());

const report = {
  application_id: "a1",
  schema_version: 2,
  as_of: "2026-06-01",
  eligible: false,
  committee_required: true,
  quota_pool: { pool: "structure_ratio", reasons: [] },
  annotations: [],
  outcomes: [
    { rule_id: "POL-PA-1", outcome: "pass", binding: "item", explanation_zh: "论文刊物符合要求（POL-PA-1）。" },
    { rule_id: "POL-EX-1", outcome: "fail", binding: "hard", explanation_zh: "学历不符合破格条件（POL-EX-1）。" },
  ],
  basis: "declared",
  trigger: "submitted",
  changes: [],
  facts: [],
  blocking: [{ rule_id: "POL-EX-1", outcome: "fail", binding: "hard", explanation_zh: "学历不符合破格条件（POL-EX-1）。" }],
  excluded_items: [],
  route: "committee",
  remarks: [],
  empty_registries: [],
} as EligibilityReport;

describe("the applicant's components", () => {
  it("shows each rule's ID, outcome in Chinese and explanation, failures first", async () => {
    vi.spyOn(applicantApi, "eligibility").mockResolvedValue(report);
    const wrapper = mount(EligibilityPanel, { props: { applicationId: "a1", version: 3 } });
    await flushPromises();
    expect(wrapper.get("[data-test=eligibility-verdict]").text()).toContain("存在不符合的硬性条件");
    const rules = wrapper.findAll("[data-test=rule]");
    expect(rules.map((r) => r.get("[data-test=rule-id]").text())).toEqual(["POL-EX-1", "POL-PA-1"]);
    expect(rules[0].text()).toContain("未通过");
    expect(rules[0].text()).toContain("学历不符合破格条件（POL-EX-1）。");
    expect(rules[1].text()).toContain("通过");
  });

  it("says a draft has no report yet", async () => {
    vi.spyOn(applicantApi, "eligibility").mockRejectedValue(
      ApiProblem.from(404, { code: "eligibility_not_assessed", detail: "该申报尚未提交，还没有资格审查报告。" }),
    );
    const wrapper = mount(EligibilityPanel, { props: { applicationId: "a1", version: 1 } });
    await flushPromises();
    expect(wrapper.text()).toContain("提交申报后，系统将自动生成资格审查报告");
  });

  it("lists what happened, newest first", () => {
    const wrapper = mount(TimelinePanel, {
      props: {
        history: [
          { event_type: "ApplicationSubmitted", version: 1, occurred_at: "2026-06-01T02:00:00+00:00" },
          { event_type: "UnitApproved", version: 5, occurred_at: "2026-06-09T02:00:00+00:00", opinion: "同意" },
        ],
      },
    });
    expect(wrapper.findAll("[data-test=timeline-title]").map((t) => t.text())).toEqual(["单位审核通过", "提交申报"]);
    expect(wrapper.text()).toContain("审核意见：同意");
  });
});
