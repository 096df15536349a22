import { describe, expect, it } from "vitest";
import {
  awardErrors,
  bridgedErrors,
  certificateErrors,
  emptyAward,
  emptyBridged,
  emptyCertificate,
  emptyFacts,
  employerBody,
  factsBody,
  factsFromContent,
  frontLineErrors,
} from "@/stores/applicantFacts";

const declared = {
  applied_through_employer: false,
  household_outside_city: true,
  outstanding_since_current_title: false,
  employer: { name: "平凉市人民医院", kind: "public_institution", grassroots: true },
  education: { level: "bachelor", technical_class: "advanced_worker_class", major_matches_work: true },
  skill_certificates: [{ grade: "technician", obtained_on: "2019-06-01", matching_work_months: 40 }],
  bridged_qualifications: [{ field: "会计", level: "intermediate", obtained_on: "2021-09-01" }],
  front_line: { roster_id: "PL-2020-01", missed_2020_promotion: true, epidemic_results: ["case_records"] },
  awards: [
    { title: "市科技进步奖二等奖", year: 2022, programme: "平凉市科学技术奖", kind: "science_technology", level: "city", collective: true, personal_role_stated: true, document_issuer: "平凉市人民政府", document_dated: "2022-12-01" },
  ],
  expert_recommendation: { has_benefit: false, recommendation_false: false },
  three_long_two_outstanding: { grassroots_years: 25, tenure_years: 10, years_at_one_post_level: 8, outstanding_before_current_title: true, outstanding_since_current_title: false },
};

describe("the application's facts beyond the basic form", () => {
  it("reads every declared fact into its input and sends the same facts back", () => {
    const form = factsFromContent(declared);
    expect(form.applied_through_employer).toBe(false);
    expect(form.outstanding_since_current_title).toBe("no");
    expect(form.employer_kind).toBe("public_institution");
    expect(form.employer_grassroots).toBe("yes");
    expect(form.employer_in_city).toBe("");
    expect(form.technical_class).toBe("advanced_worker_class");
    expect(form.front_line).toBe(true);
    expect(form.recommendation_facts.has_benefit).toBe(false);
    expect(form.recommendation_kept).toEqual({ recommendation_false: false });

    const body = factsBody(form);
    expect(body.applied_through_employer).toBe(false);
    expect(body.household_outside_city).toBe(true);
    expect(body.outstanding_since_current_title).toBe(false);
    expect(body.skill_certificates).toEqual(declared.skill_certificates);
    expect(body.bridged_qualifications).toEqual(declared.bridged_qualifications);
    expect(body.front_line).toEqual(declared.front_line);
    expect(body.awards?.[0]).toEqual({ ...declared.awards[0], certificate_seal_of: null });
    expect(body.expert_recommendation).toMatchObject({ has_benefit: false, recommendation_false: false, expert_knows_applicant: true });
    expect(body.three_long_two_outstanding).toEqual({ ...declared.three_long_two_outstanding, years_to_retirement: null });
    expect(employerBody(" 平凉市人民医院 ", form)).toEqual({ name: "平凉市人民医院", kind: "public_institution", grassroots: true });
  });

  it("leaves out the groups the applicant did not fill in", () => {
    const body = factsBody(emptyFacts());
    expect(body.front_line).toBeUndefined();
    expect(body.expert_recommendation).toBeUndefined();
    expect(body.three_long_two_outstanding).toBeUndefined();
    expect(body.outstanding_since_current_title).toBeUndefined();
    expect(body.awards).toEqual([]);
    expect(employerBody("  ", emptyFacts())).toBeUndefined();
  });

  it("a collective award's role is sent only for a collective award", () => {
    const form = emptyFacts();
    form.awards.push({ ...emptyAward(2024), title: "先进集体", programme: "市表彰", kind: "commendation", level: "city", personal_role_stated: true });
    expect(factsBody(form).awards?.[0].personal_role_stated).toBe(false);
  });

  it("validates each award, certificate and qualification inline", () => {
    expect(awardErrors(emptyAward(2026), 2026)).toMatchObject({ title: "请填写奖项名称", programme: "请填写表彰项目名称", kind: "请选择奖励类别", level: "请选择奖励级别" });
    expect(awardErrors({ ...emptyAward(2026), year: 2030 }, 2026).year).toBe("获奖年度应在 1949–2026 年之间");
    expect(awardErrors({ ...emptyAward(2026), title: "奖".repeat(201) }, 2026).title).toBe("奖项名称不超过 200 个字");
    const good = { ...emptyAward(2024), title: "奖", programme: "项目", kind: "commendation" as const, level: "city" as const };
    expect(awardErrors(good, 2026)).toEqual({});
    expect(certificateErrors(emptyCertificate())).toEqual({ grade: "请选择证书等级", obtained_on: "请选择取得日期" });
    expect(certificateErrors({ grade: "technician", obtained_on: "2999-01-01", matching_work_months: 1201 })).toEqual({
      obtained_on: "取得日期不能晚于今天",
      matching_work_months: "月数应在 0–1200 之间",
    });
    expect(bridgedErrors(emptyBridged())).toEqual({ field: "请选择或填写贯通领域", level: "请选择资格级别", obtained_on: "请选择取得日期" });
    expect(bridgedErrors({ field: "会计", level: "junior", obtained_on: "2020-01-01" })).toEqual({});
    const front = { ...emptyFacts(), front_line: true, roster_id: "x".repeat(101) };
    expect(frontLineErrors(front).roster_id).toBe("名册编号不超过 100 个字");
    expect(frontLineErrors({ ...front, front_line: false })).toEqual({});
  });
});
