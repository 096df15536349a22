// @vitest-environment jsdom
import { APPLICATION_STATUS_NAMES, nameOf } from "@/domain/vocabulary";
import { describe, expect, it, vi } from "vitest";
import { mount } from "@vue/test-utils";
import EligibilityReport from "@/components/chain/EligibilityReport.vue";
import {
  lastDayBefore,
  opinionError,
  percent,
  pushGroups,
  pushMonthsAgainst,
  pushWindowStatusName,
  statusTag,
} from "@/stores/office";
import { barOption, passRateOption, pushMonthsOption } from "@/stores/officeCharts";

// The component imports Element Plus's styles where it uses a component; jsdom has no use for them.
vi.mock("element-plus/es/components/base/style/css", () => ({}));
vi.mock("element-plus/es/components/empty/style/css", () => ({}));
vi.mock("element-plus/es/components/descriptions/style/css", () => ({}));
vi.mock("element-plus/es/components/descriptions-item/style/css", () => ({}));
vi.mock("element-plus/es/components/tag/style/css", () => ({}));
vi.mock("element-plus/es/components/alert/style/css", () => ({}));
vi.mock("element-plus/es/components/table/style/css", () => ({}));
vi.mock("element-plus/es/components/table-column/style/css", () => ({}));

describe("the review chain's decisions", () => {
  it("requires the reasons of a return and bounds every opinion", () => {
    expect(opinionError("return", "  ")).toBe("退回时必须填写退回理由。");
    expect(opinionError("approve", "")).toBe("");
    expect(opinionError("return", "缺少继续教育证明")).toBe("");
    expect(opinionError("approve", "字".repeat(2001))).toBe("意见不能超过 2000 个字。");
  });

  it("names statuses in Chinese and colours them by what they mean", () => {
    expect(nameOf(APPLICATION_STATUS_NAMES, "office_approved")).toBe("职改办审核通过（待推送）");
    expect(nameOf(APPLICATION_STATUS_NAMES, "something_new")).toBe("something_new");
    expect(nameOf(APPLICATION_STATUS_NAMES, null)).toBe("—");
    expect(statusTag("submitted")).toBe("warning");
    expect(statusTag("returned_by_province")).toBe("danger");
    expect(statusTag("pushed")).toBe("success");
    expect(statusTag("withdrawn")).toBe("info");
  });
});

describe("pushes", () => {
  it("names a window that never opened by whether its push deadline has passed", () => {
    const deadline = "2026-10-31T16:00:00Z"; // 24:00 of 31 October in Beijing
    expect(pushWindowStatusName("open", deadline)).toBe("推送中");
    expect(pushWindowStatusName(undefined, deadline, new Date("2026-10-20T00:00:00Z"))).toBe("未开始");
    expect(pushWindowStatusName(undefined, deadline, new Date("2026-11-30T00:00:00Z"))).toBe("未开启（已过推送截止）");
  });


  it("groups the selected applications by year, series and level, as a push takes them", () => {
    const groups = pushGroups([
      { id: "a", year: 2026, series: "卫生系列", level: "intermediate" },
      { id: "b", year: 2026, series: "卫生系列", level: "intermediate" },
      { id: "c", year: 2026, series: "卫生系列", level: "senior" },
    ]);
    expect(groups).toEqual([
      { year: 2026, series: "卫生系列", level: "intermediate", application_ids: ["a", "b"] },
      { year: 2026, series: "卫生系列", level: "senior", application_ids: ["c"] },
    ]);
  });

  it("shows a deadline at 24:00 as the day it ends", () => {
    expect(lastDayBefore("2026-11-01T00:00:00+08:00")).toBe("2026-10-31");
    expect(lastDayBefore("2026-10-31T16:00:00+00:00")).toBe("2026-10-31");
    expect(lastDayBefore("2026-12-31T23:59:59+08:00")).toBe("2026-12-31");
  });

  it("sets the push months against today", () => {
    const rows = pushMonthsAgainst(2026, "2026-06-15", [
      { series: "会计系列", push_month: 9, push_deadline: "2026-09-30T23:59:59+08:00" },
      { series: "卫生系列", push_month: 6, push_deadline: "2026-06-30T23:59:59+08:00" },
      { series: "教育系列", push_month: 3, push_deadline: "2026-03-31T23:59:59+08:00" },
    ]);
    expect(rows.map((r) => [r.series, r.state, r.deadline])).toEqual([
      ["教育系列", "past", "2026-03-31"],
      ["卫生系列", "current", "2026-06-30"],
      ["会计系列", "coming", "2026-09-30"],
    ]);
    expect(pushMonthsAgainst(2027, "2026-12-01", [{ series: "x", push_month: 1, push_deadline: "2027-01-31" }])[0].state).toBe(
      "coming",
    );
  });
});

describe("the dashboard's charts", () => {
  const stats = {
    year: 2026,
    today: "2026-06-15",
    total: 5,
    by_series: [
      { key: "卫生系列", name: "卫生系列", count: 3 },
      { key: "会计系列", name: "会计系列", count: 2 },
    ],
    by_status: [{ key: "submitted", name: "待单位审核", count: 5 }],
    by_county: [{ key: "620821", name: "泾川县职改办", count: 5 }],
    pass_rates: [
      { series: "卫生系列", concluded: 2, titled: 1, not_passed: 1, rate: 0.5, assessed: 3, eligible: 3 },
      { series: "会计系列", concluded: 0, titled: 0, not_passed: 0, rate: null, assessed: 0, eligible: 0 },
    ],
  };

  it("draws the counts and the pass rates, with nothing drawn for a series without results", () => {
    const bars = barOption("按系列", stats.by_series);
    expect(bars.xAxis).toMatchObject({ data: ["卫生系列", "会计系列"] });
    expect(bars.series[0].data).toEqual([3, 2]);
    const rates = passRateOption(stats);
    expect(rates.series.map((s) => s.data)).toEqual([
      [100, null],
      [50, null],
    ]);
    expect(percent(0.5)).toBe("50.0%");
    expect(percent(null)).toBe("—");
  });

  it("marks today on the push months' axis", () => {
    const option = pushMonthsOption(2026, "2026-06-15", [
      { series: "卫生系列", push_month: 6, push_deadline: "2026-06-30T23:59:59+08:00" },
    ]);
    expect(option.series[0].data).toEqual([5]);
    expect(option.series[1].markLine?.data[0].xAxis).toBeCloseTo(5.5, 5);
    expect(option.series[1].data).toEqual([{ value: 1, itemStyle: { color: "#b91c1c" } }]);
  });
});

describe("the eligibility report", () => {
  it("shows each rule's Chinese explanation and what blocks an approval", () => {
    const wrapper = mount(EligibilityReport, {
      props: {
        report: {
          application_id: "a",
          schema_version: 1,
          as_of: "2026-06-01T10:00:00+08:00",
          eligible: false,
          committee_required: true,
          quota_pool: {},
          annotations: [],
          outcomes: [{ rule_id: "POL-EX-1", outcome: "fail", explanation_zh: "任现职年限不足5年。" }],
          blocking: [{ rule_id: "POL-EX-1", explanation_zh: "任现职年限不足5年。", binding: "hard" }],
          basis: "declared",
          route: "committee",
          trigger: "submitted",
        },
      },
      global: { stubs: { "el-descriptions": true, "el-table": true, "el-alert": { props: ["title"], template: "<p class='alert'>{{ title }}</p>" } } },
    });
    expect(wrapper.find(".alert").text()).toBe("POL-EX-1：任现职年限不足5年。");
  });
});
