// The application's facts beyond the basic ones (POLICY.md's POL-… rules read them): the employer's
// declared details, awards, skill certificates, bridged qualifications (贯通), the epidemic front line,
// 三长两突出, the expert recommendation's circumstances and the flags — as the form edits them, from the
// stored content and back to the body PUT /api/v1/applications/{id} takes, with each input's validation.
import type { components } from "@/api/generated/application-service";

type S = components["schemas"];
type Body = S["ApplicationIn"];
export type AwardBody = S["AwardIn"];
export type SkillCertificateBody = S["SkillCertificateIn"];
export type BridgedBody = S["BridgedQualificationIn"];
export type RecommendationFactsBody = S["ExpertRecommendationIn"];
export type ThreeLongBody = S["ThreeLongTwoOutstandingIn"];
type EmployerKind = NonNullable<NonNullable<Body["employer"]>["kind"]>;
type TechnicalClass = NonNullable<NonNullable<Body["education"]>["technical_class"]>;
type Level = Body["level"];

// -- Chinese names (the notice's words; application-service's domain/policy/text.py names the same) ----------

export const EMPLOYER_KIND_ZH: Record<EmployerKind, string> = {
  public_institution: "事业单位",
  state_owned_enterprise: "国有企业",
  private_enterprise: "非公有制企业",
  private_institution: "民办机构（民办医院、学校等）",
  government_agency: "机关",
  other: "其他",
};
export const TECHNICAL_CLASS_ZH: Record<TechnicalClass, string> = {
  intermediate_worker_class: "中级工班（视同中专）",
  advanced_worker_class: "高级工班（视同大专）",
  preparatory_technician_class: "预备技师班（视同本科）",
};
export const SKILL_GRADE_ZH: Record<SkillCertificateBody["grade"], string> = {
  advanced_worker: "高级工",
  technician: "技师",
  senior_technician: "高级技师",
};
/** POL-SK-1's bridged fields (the applicant may type another). */
export const BRIDGED_FIELDS = ["经济", "会计", "统计", "审计", "翻译", "出版", "通信", "计算机技术与软件"];
export const AWARD_KIND_ZH: Record<AwardBody["kind"], string> = { science_technology: "科技奖励", commendation: "表彰奖励" };
export const AWARD_LEVEL_ZH: Record<AwardBody["level"], string> = {
  national: "国家级",
  ministerial: "部委级",
  provincial: "省级",
  city: "市级",
  county: "县级",
  social: "社会力量设立",
};
export const EPIDEMIC_RESULT_ZH: Record<string, string> = {
  clinical_treatment: "临床救治情况",
  case_records: "病案病例",
  treatment_plan: "诊疗方案",
  key_technology: "关键核心技术研发成果",
  epidemiological_report: "流行病学报告",
  pathology_report: "病理报告",
  drug_vaccine: "药物疫苗研发情况",
  reagent_equipment: "试剂检测设备产品研发应用情况",
  work_summary: "工作总结",
  psychological_counselling: "心理治疗和疏导案例",
};
/** POL-ER-2's circumstances the applicant states (the request, consent and blind review are the system's). */
export const RECOMMENDATION_FACTS_ZH = {
  recommends_established_results: "举荐的是已定性成果（科技奖项、已发表论文、已立项或结题验收的课题项目）",
  has_benefit: "举荐的业绩产生了经济、社会或生态效益",
  benefit_at_level: "效益达到申报职称层级应有的水平",
  applicant_in_good_standing: "申报人诚信记录良好",
  expert_in_good_standing: "举荐专家诚信记录良好",
  applicant_knew_policy: "申报人知悉专家举荐政策要求",
  expert_knew_policy: "举荐专家知悉专家举荐政策要求",
  expert_knows_applicant: "举荐专家了解申报人的品德、能力和业绩成果",
  expert_has_small_scope_senior_title: "举荐专家的高级职称为“小范围”评审取得",
} as const;
export type RecommendationFactKey = keyof typeof RECOMMENDATION_FACTS_ZH;

// -- the form's part -----------------------------------------------------------------------------------------

export interface AwardForm {
  title: string;
  year: number | null;
  programme: string;
  kind: AwardBody["kind"] | "";
  level: AwardBody["level"] | "";
  collective: boolean;
  personal_role_stated: boolean;
  document_issuer: string;
  document_dated: string;
  certificate_seal_of: string;
}

export interface SkillCertificateForm {
  grade: SkillCertificateBody["grade"] | "";
  obtained_on: string;
  matching_work_months: number;
}

export interface BridgedForm {
  field: string;
  level: Level | "";
  obtained_on: string;
}

export interface ThreeLongForm {
  grassroots_years: number;
  tenure_years: number;
  years_at_one_post_level: number;
  outstanding_before_current_title: boolean;
  outstanding_since_current_title: boolean;
  years_to_retirement: number | null;
}

export interface FactsForm {
  applied_through_employer: boolean;
  household_outside_city: boolean;
  off_staff_stated_by_employer: boolean;
  local_talent_selected: boolean;
  /** "" = not stated. */
  outstanding_since_current_title: "" | "yes" | "no";
  employer_kind: EmployerKind | "";
  employer_grassroots: "" | "yes" | "no";
  employer_in_city: "" | "yes" | "no";
  technical_class: TechnicalClass | "";
  skill_certificates: SkillCertificateForm[];
  bridged_qualifications: BridgedForm[];
  front_line: boolean;
  roster_id: string;
  missed_2020_promotion: boolean;
  epidemic_results: string[];
  awards: AwardForm[];
  recommendation: boolean;
  recommendation_facts: Record<RecommendationFactKey, boolean>;
  /** What the form does not show of the declared recommendation (recommendation_false): kept. */
  recommendation_kept: Record<string, unknown>;
  three_long: boolean;
  three_long_facts: ThreeLongForm;
}

export const MAX_AWARDS = 30;
export const MAX_CERTIFICATES = 10;
export const MAX_EPIDEMIC_RESULTS = 20;

const RECOMMENDATION_DEFAULTS: Record<RecommendationFactKey, boolean> = {
  recommends_established_results: false,
  has_benefit: true,
  benefit_at_level: true,
  applicant_in_good_standing: true,
  expert_in_good_standing: true,
  applicant_knew_policy: true,
  expert_knew_policy: true,
  expert_knows_applicant: true,
  expert_has_small_scope_senior_title: false,
};

export function emptyAward(year: number): AwardForm {
  return {
    title: "",
    year,
    programme: "",
    kind: "",
    level: "",
    collective: false,
    personal_role_stated: false,
    document_issuer: "",
    document_dated: "",
    certificate_seal_of: "",
  };
}

export function emptyCertificate(): SkillCertificateForm {
  return { grade: "", obtained_on: "", matching_work_months: 0 };
}

export function emptyBridged(): BridgedForm {
  return { field: "", level: "", obtained_on: "" };
}

export function emptyFacts(): FactsForm {
  return {
    applied_through_employer: true,
    household_outside_city: false,
    off_staff_stated_by_employer: false,
    local_talent_selected: false,
    outstanding_since_current_title: "",
    employer_kind: "",
    employer_grassroots: "",
    employer_in_city: "",
    technical_class: "",
    skill_certificates: [],
    bridged_qualifications: [],
    front_line: false,
    roster_id: "",
    missed_2020_promotion: false,
    epidemic_results: [],
    awards: [],
    recommendation: false,
    recommendation_facts: { ...RECOMMENDATION_DEFAULTS },
    recommendation_kept: {},
    three_long: false,
    three_long_facts: {
      grassroots_years: 0,
      tenure_years: 0,
      years_at_one_post_level: 0,
      outstanding_before_current_title: false,
      outstanding_since_current_title: false,
      years_to_retirement: null,
    },
  };
}

type Facts = Record<string, unknown>;

/** The facts this module edits (the rest of `facts` is the basic form's or kept as it was). */
export const EDITED_FACTS = [
  "applied_through_employer",
  "household_outside_city",
  "off_staff_stated_by_employer",
  "local_talent_selected",
  "outstanding_since_current_title",
  "skill_certificates",
  "bridged_qualifications",
  "front_line",
  "awards",
  "expert_recommendation",
  "three_long_two_outstanding",
];

function obj(value: unknown): Facts {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Facts) : {};
}
function list(value: unknown): Facts[] {
  return Array.isArray(value) ? value.map(obj) : [];
}
function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}
function yesNo(value: unknown): "" | "yes" | "no" {
  return value === true ? "yes" : value === false ? "no" : "";
}
function fromYesNo(value: "" | "yes" | "no"): boolean | undefined {
  return value === "" ? undefined : value === "yes";
}

/** The form's part from the declared facts (GET …/content's `facts`). */
export function factsFromContent(facts: Facts): FactsForm {
  const form = emptyFacts();
  const employer = obj(facts.employer);
  const education = obj(facts.education);
  const front = facts.front_line ? obj(facts.front_line) : null;
  const rec = facts.expert_recommendation ? obj(facts.expert_recommendation) : null;
  const three = facts.three_long_two_outstanding ? obj(facts.three_long_two_outstanding) : null;
  form.applied_through_employer = facts.applied_through_employer !== false;
  form.household_outside_city = facts.household_outside_city === true;
  form.off_staff_stated_by_employer = facts.off_staff_stated_by_employer === true;
  form.local_talent_selected = facts.local_talent_selected === true;
  form.outstanding_since_current_title = yesNo(facts.outstanding_since_current_title);
  form.employer_kind = (str(employer.kind) as EmployerKind) || "";
  form.employer_grassroots = yesNo(employer.grassroots);
  form.employer_in_city = yesNo(employer.in_city);
  form.technical_class = (str(education.technical_class) as TechnicalClass) || "";
  form.skill_certificates = list(facts.skill_certificates).map((c) => ({
    grade: str(c.grade) as SkillCertificateForm["grade"],
    obtained_on: str(c.obtained_on),
    matching_work_months: Number(c.matching_work_months ?? 0),
  }));
  form.bridged_qualifications = list(facts.bridged_qualifications).map((q) => ({
    field: str(q.field),
    level: str(q.level) as BridgedForm["level"],
    obtained_on: str(q.obtained_on),
  }));
  if (front) {
    form.front_line = true;
    form.roster_id = str(front.roster_id);
    form.missed_2020_promotion = front.missed_2020_promotion === true;
    form.epidemic_results = Array.isArray(front.epidemic_results) ? front.epidemic_results.map(String) : [];
  }
  form.awards = list(facts.awards).map((a) => ({
    title: str(a.title),
    year: typeof a.year === "number" ? a.year : null,
    programme: str(a.programme),
    kind: str(a.kind) as AwardForm["kind"],
    level: str(a.level) as AwardForm["level"],
    collective: a.collective === true,
    personal_role_stated: a.personal_role_stated === true,
    document_issuer: str(a.document_issuer),
    document_dated: str(a.document_dated),
    certificate_seal_of: str(a.certificate_seal_of),
  }));
  if (rec) {
    form.recommendation = true;
    for (const key of Object.keys(RECOMMENDATION_DEFAULTS) as RecommendationFactKey[]) {
      if (typeof rec[key] === "boolean") form.recommendation_facts[key] = rec[key] as boolean;
    }
    for (const [key, value] of Object.entries(rec)) if (!(key in RECOMMENDATION_DEFAULTS)) form.recommendation_kept[key] = value;
  }
  if (three) {
    form.three_long = true;
    form.three_long_facts = {
      grassroots_years: Number(three.grassroots_years ?? 0),
      tenure_years: Number(three.tenure_years ?? 0),
      years_at_one_post_level: Number(three.years_at_one_post_level ?? 0),
      outstanding_before_current_title: three.outstanding_before_current_title === true,
      outstanding_since_current_title: three.outstanding_since_current_title === true,
      years_to_retirement: typeof three.years_to_retirement === "number" ? three.years_to_retirement : null,
    };
  }
  return form;
}

function trimmedOrNull(value: string): string | null {
  return value.trim() ? value.trim() : null;
}

/** The body's facts from the form's part (employer and education are merged by the caller). */
export function factsBody(form: FactsForm): Partial<Body> {
  const body: Partial<Body> = {
    applied_through_employer: form.applied_through_employer,
    household_outside_city: form.household_outside_city,
    off_staff_stated_by_employer: form.off_staff_stated_by_employer,
    local_talent_selected: form.local_talent_selected,
    skill_certificates: form.skill_certificates.map((c) => ({
      grade: c.grade as SkillCertificateBody["grade"],
      obtained_on: c.obtained_on,
      matching_work_months: c.matching_work_months,
    })),
    bridged_qualifications: form.bridged_qualifications.map((q) => ({
      field: q.field.trim(),
      level: q.level as Level,
      obtained_on: q.obtained_on,
    })),
    awards: form.awards.map((a) => awardBody(a)),
  };
  const outstanding = fromYesNo(form.outstanding_since_current_title);
  if (outstanding !== undefined) body.outstanding_since_current_title = outstanding;
  if (form.front_line) {
    body.front_line = {
      roster_id: trimmedOrNull(form.roster_id),
      missed_2020_promotion: form.missed_2020_promotion,
      epidemic_results: [...form.epidemic_results],
    };
  }
  if (form.recommendation) {
    body.expert_recommendation = { ...form.recommendation_kept, ...form.recommendation_facts } as RecommendationFactsBody;
  }
  if (form.three_long) body.three_long_two_outstanding = { ...form.three_long_facts };
  return body;
}

function awardBody(a: AwardForm): AwardBody {
  return {
    title: a.title.trim(),
    year: a.year ?? 0,
    programme: a.programme.trim(),
    kind: a.kind as AwardBody["kind"],
    level: a.level as AwardBody["level"],
    collective: a.collective,
    personal_role_stated: a.collective ? a.personal_role_stated : false,
    document_issuer: trimmedOrNull(a.document_issuer),
    document_dated: a.document_dated || null,
    certificate_seal_of: trimmedOrNull(a.certificate_seal_of),
  };
}

/** The employer's declared details merged with its name (shown, never decisive: org-service's registration decides). */
export function employerBody(name: string, form: FactsForm): Body["employer"] | undefined {
  const employer: NonNullable<Body["employer"]> = {};
  if (name.trim()) employer.name = name.trim();
  if (form.employer_kind) employer.kind = form.employer_kind;
  const grassroots = fromYesNo(form.employer_grassroots);
  if (grassroots !== undefined) employer.grassroots = grassroots;
  const inCity = fromYesNo(form.employer_in_city);
  if (inCity !== undefined) employer.in_city = inCity;
  return Object.keys(employer).length ? employer : undefined;
}

// -- inline validation (the same bounds the service checks) ------------------------------------------------

const today = () => new Date().toISOString().slice(0, 10);

/** What is wrong with an award, by its field ("" when nothing). */
export function awardErrors(a: AwardForm, thisYear = new Date().getFullYear()): Partial<Record<keyof AwardForm, string>> {
  const errors: Partial<Record<keyof AwardForm, string>> = {};
  if (!a.title.trim()) errors.title = "请填写奖项名称";
  else if (a.title.trim().length > 200) errors.title = "奖项名称不超过 200 个字";
  if (a.year === null) errors.year = "请填写获奖年度";
  else if (a.year < 1949 || a.year > thisYear) errors.year = `获奖年度应在 1949–${thisYear} 年之间`;
  if (!a.programme.trim()) errors.programme = "请填写表彰项目名称";
  else if (a.programme.trim().length > 200) errors.programme = "表彰项目名称不超过 200 个字";
  if (!a.kind) errors.kind = "请选择奖励类别";
  if (!a.level) errors.level = "请选择奖励级别";
  if (a.document_issuer.trim().length > 100) errors.document_issuer = "落款单位不超过 100 个字";
  if (a.certificate_seal_of.trim().length > 100) errors.certificate_seal_of = "印章单位不超过 100 个字";
  if (a.document_dated && a.document_dated > today()) errors.document_dated = "表彰文件日期不能晚于今天";
  return errors;
}

export function certificateErrors(c: SkillCertificateForm): Partial<Record<keyof SkillCertificateForm, string>> {
  const errors: Partial<Record<keyof SkillCertificateForm, string>> = {};
  if (!c.grade) errors.grade = "请选择证书等级";
  if (!c.obtained_on) errors.obtained_on = "请选择取得日期";
  else if (c.obtained_on > today()) errors.obtained_on = "取得日期不能晚于今天";
  if (!Number.isInteger(c.matching_work_months) || c.matching_work_months < 0 || c.matching_work_months > 1200) {
    errors.matching_work_months = "月数应在 0–1200 之间";
  }
  return errors;
}

export function bridgedErrors(q: BridgedForm): Partial<Record<keyof BridgedForm, string>> {
  const errors: Partial<Record<keyof BridgedForm, string>> = {};
  if (!q.field.trim()) errors.field = "请选择或填写贯通领域";
  else if (q.field.trim().length > 50) errors.field = "领域不超过 50 个字";
  if (!q.level) errors.level = "请选择资格级别";
  if (!q.obtained_on) errors.obtained_on = "请选择取得日期";
  else if (q.obtained_on > today()) errors.obtained_on = "取得日期不能晚于今天";
  return errors;
}

export function frontLineErrors(form: FactsForm): { roster_id?: string; epidemic_results?: string } {
  if (!form.front_line) return {};
  const errors: { roster_id?: string; epidemic_results?: string } = {};
  if (form.roster_id.trim().length > 100) errors.roster_id = "名册编号不超过 100 个字";
  if (form.epidemic_results.length > MAX_EPIDEMIC_RESULTS) errors.epidemic_results = `最多 ${MAX_EPIDEMIC_RESULTS} 项`;
  if (form.epidemic_results.some((r) => r.length > 500)) errors.epidemic_results = "每项不超过 500 个字";
  return errors;
}

/** An element-plus validator from one of the checks above (the field's message, or nothing). */
export function check(message: () => string | undefined) {
  return (_rule: unknown, _value: unknown, done: (error?: Error) => void) => {
    const text = message();
    if (text) done(new Error(text));
    else done();
  };
}
