import { describe, expect, it } from "vitest";
import type { components } from "@/api/generated/application-service";
import { awardRows, excludedRows } from "@/stores/chainAwards";

type Report = components["schemas"]["EligibilityOut"];

function report(outcomes: Report["outcomes"], extra: Partial<Report> = {}): Report {
  return {
    application_id: "a",
    schema_version: 2,
    as_of: "2026-11-30T00:00:00",
    eligible: true,
    committee_required: true,
    quota_pool: {},
    annotations: [],
    outcomes,
    ...extra,
  } as Report;
}

describe("the awards beside the application (POL-AW-1)", () => {
  it("lists each award the report judged, with its kind from the facts and the year it was recognised in", () => {
    const rows = awardRows(
      report(
        [
          { rule_id: "POL-EX-1", outcome: "pass", explanation_zh: "…", details: {} },
          {
            rule_id: "POL-AW-1",
            outcome: "pass",
            explanation_zh: "奖励2015年“甘肃省科技进步奖”（省级）按我省原职称评价政策认定，可以认定",
            details: {
              award: "甘肃省科技进步奖",
              year: 2016,
              declared_year: 2015,
              programme: "甘肃省科学技术奖",
              level: "provincial",
              evidence: { document_issuer: "甘肃省人民政府", document_dated: "2016-01-10", certificate_seal_of: null },
            },
          },
          {
            rule_id: "POL-AW-1",
            outcome: "excluded",
            explanation_zh: "奖励2020年“先进个人”……请申报人撤回该奖励",
            details: { award: "先进个人", year: 2020, declared_year: 2020, programme: "评先", level: "county", evidence: {} },
          },
        ],
        {
          facts: [
            { path: "awards.0.kind", declared: "science_technology", attested: "science_technology", reason: null },
            { path: "awards.1.kind", declared: "commendation", attested: "commendation", reason: null },
          ],
        },
      ),
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      title: "甘肃省科技进步奖",
      year: "2015（按2016年认定）",
      kind: "科技奖励",
      level: "省级",
      evidence: "表彰文件落款：甘肃省人民政府，2016-01-10",
      outcome: "pass",
    });
    expect(rows[1]).toMatchObject({ title: "先进个人", year: "2020", kind: "表彰奖励", level: "县级", evidence: "未提供", outcome: "excluded" });
  });

  it("has no rows without awards (the rule not applicable) or without a report", () => {
    expect(awardRows(report([{ rule_id: "POL-AW-1", outcome: "not_applicable", explanation_zh: "申报人未提交奖励" }]))).toEqual([]);
    expect(awardRows(null)).toEqual([]);
  });

  it("names the items the report does not count", () => {
    const rows = excludedRows(
      report([], { excluded_items: [{ item: "award", ref: null, title: "先进个人", rule_id: "POL-AW-1", explanation_zh: "请撤回" }] }),
    );
    expect(rows).toEqual([{ item: "奖励", title: "先进个人", rule_id: "POL-AW-1", explanation: "请撤回" }]);
  });
});
