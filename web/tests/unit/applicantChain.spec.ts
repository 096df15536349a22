import { describe, expect, it } from "vitest";
import {
  attestationBody,
  attestRowError,
  attestRows,
  blindReviewText,
  correctionAt,
  externalReportErrors,
  externalReportWanted,
  factLabel,
  factText,
  mayRequestRecommendation,
  queueQuery,
  emptyQueueFilters,
  recommendationRequestErrors,
} from "@/stores/applicantChain";

const facts = [
  { path: "work.rural_months", declared: 240, attested: 240, reason: null },
  { path: "education.level", declared: "bachelor", attested: "junior_college", reason: "学历证书为大专" },
  { path: "awards.1.level", declared: "provincial", attested: "provincial", reason: null },
  { path: "outstanding_since_current_title", declared: null, attested: null, reason: null },
  { path: "employer.kind", declared: null, attested: "public_institution", reason: "以组织机构系统登记为准" },
];

describe("the unit's attestation of the declared facts", () => {
  it("names each fact and its value in Chinese", () => {
    expect(factLabel("work.rural_months")).toBe("在农村或基层工作（月）");
    expect(factLabel("awards.1.level")).toBe("奖项2·奖励级别");
    expect(factLabel("skill_certificates.0.grade")).toBe("职业技能等级证书1·等级");
    expect(factText("education.level", "bachelor")).toBe("本科");
    expect(factText("awards.0.level", "provincial")).toBe("省级");
    expect(factText("work.hard_remote_area", false)).toBe("否");
    expect(factText("outstanding_since_current_title", null)).toBe("未填");
  });

  it("starts from the corrections already attested and sends the complete set, never the employer's facts", () => {
    expect(factText("employer.kind", "public_institution")).toBe("事业单位");
    const rows = attestRows(facts);
    expect(rows.map((r) => r.path)).not.toContain("employer.kind");
    expect(rows.map((r) => r.corrected)).toEqual([false, true, false, false]);
    expect(rows[1].attested).toBe("junior_college");
    rows[0].corrected = true;
    rows[0].attested = 216;
    rows[0].reason = " 劳动合同显示18年 ";
    expect(attestationBody(rows)).toEqual([
      { path: "work.rural_months", attested: 216, reason: "劳动合同显示18年" },
      { path: "education.level", attested: "junior_college", reason: "学历证书为大专" },
    ]);
    rows[3].corrected = true;
    rows[3].attested = "";
    rows[3].reason = "未说明";
    expect(attestRowError(rows[3])).toBe("核实值与填报值相同，无需更正");
    rows[3].attested = true;
    expect(attestationBody(rows)[2]).toEqual({ path: "outstanding_since_current_title", attested: true, reason: "未说明" });
  });

  it("refuses a correction without a reason, without a value, or equal to the declared value", () => {
    const [row] = attestRows(facts);
    expect(attestRowError(row)).toBe("");
    row.corrected = true;
    expect(attestRowError(row)).toBe("更正申报事实时必须说明理由");
    row.reason = "核对档案";
    expect(attestRowError(row)).toBe("核实值与填报值相同，无需更正");
    row.attested = null;
    expect(attestRowError(row)).toBe("请填写核实值");
    row.attested = 200;
    row.reason = "理".repeat(501);
    expect(attestRowError(row)).toBe("理由不超过 500 个字");
  });

  it("finds the row a refusal names", () => {
    expect(correctionAt("body.corrections.2.reason")).toEqual({ index: 2, field: "reason" });
    expect(correctionAt("corrections.0.attested")).toEqual({ index: 0, field: "attested" });
    expect(correctionAt("expected_version")).toBeNull();
  });
});

describe("the expert recommendation", () => {
  it("is requested while under review, again only after a refusal", () => {
    expect(mayRequestRecommendation("submitted", null)).toBe(true);
    expect(mayRequestRecommendation("submitted", { status: "requested" })).toBe(false);
    expect(mayRequestRecommendation("returned", { status: "refused" })).toBe(true);
    expect(mayRequestRecommendation("office_approved", null)).toBe(false);
  });

  it("validates the request and words the blind review", () => {
    expect(recommendationRequestErrors({ recommending_expert_id: " ", request_text: "", recommendation_text: "" })).toEqual({
      recommending_expert_id: "请填写举荐专家的账号",
      request_text: "请填写向用人单位提出的书面申请",
      recommendation_text: "请填写专家举荐意见",
    });
    expect(recommendationRequestErrors({ recommending_expert_id: "e1", request_text: "申请", recommendation_text: "意见" })).toEqual({});
    expect(blindReviewText({ status: "requested", blind_review: null })).toBe("");
    expect(blindReviewText({ status: "agreed", blind_review: null })).toBe("盲审进行中");
    expect(blindReviewText({ status: "agreed", blind_review: { approvals: 2, total: 3 } })).toContain("3 名专家中 2 名同意");
  });
});

describe("the external plagiarism report", () => {
  it("is wanted only for a paper the automatic check could not compare through no fault of the applicant", () => {
    expect(externalReportWanted(undefined)).toBe(false);
    expect(externalReportWanted({ decision: "pass" })).toBe(false);
    expect(externalReportWanted({ decision: "rejected", applicant_caused: true })).toBe(false);
    expect(externalReportWanted({ decision: "rejected", applicant_caused: false })).toBe(true);
  });

  it("checks the report's figures and file before uploading", () => {
    const form = { provider: "知", report_number: "", copy_percent: 120, attested: false };
    expect(externalReportErrors(form, null)).toEqual({
      provider: "请填写查重机构（至少 2 个字）",
      report_number: "请填写报告编号",
      copy_percent: "复制比应在 0–100% 之间",
      attested: "须经用人单位审核无误并加盖公章后上传",
      file: "请选择查重报告 PDF 文件",
    });
    const pdf = new File(["%PDF-1.4"], "report.pdf", { type: "application/pdf" });
    expect(externalReportErrors({ provider: "中国知网", report_number: "TMLC-1", copy_percent: 12.5, attested: true }, pdf)).toEqual({});
    const png = new File(["x"], "report.png", { type: "image/png" });
    expect(externalReportErrors({ provider: "中国知网", report_number: "TMLC-1", copy_percent: 12.5, attested: true }, png).file).toBe(
      "查重报告须为 PDF 文件",
    );
  });
});

describe("the review queue", () => {
  it("asks for the filters set and the page's window", () => {
    const filters = { ...emptyQueueFilters(), series: "卫生系列", year: 2026 };
    expect(queueQuery(filters, { limit: 20, offset: 40 })).toEqual({
      mine: true,
      status: undefined,
      series: "卫生系列",
      level: undefined,
      unit: undefined,
      year: 2026,
      limit: 20,
      offset: 40,
    });
  });
});
