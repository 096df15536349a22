// What the review chain and the applicant do around an application beyond the form: the unit's
// attestation of the declared facts (NAT-7, each correction with its reason), the expert recommendation
// (POL-ER-1: the applicant's written request, the employer's consent), the employer's external plagiarism
// report (POL-PA-4), the applicant's qualification documents and certificates (NAT-10), and the lists.
import { applicationApi, call, commandKey, reviewApi } from "@/api/client";
import type { components } from "@/api/generated/application-service";
import type { components as ReviewComponents } from "@/api/generated/review-service";
import { downloadFile } from "@/api/files";
import { ApiProblem } from "@/api/problem";
import { EDUCATION_NAMES, TITLE_LEVEL_NAMES } from "@/domain/vocabulary";
import type { PageQuery } from "@/composables/usePagedList";
import { AWARD_KIND_ZH, AWARD_LEVEL_ZH, EMPLOYER_KIND_ZH, SKILL_GRADE_ZH, TECHNICAL_CLASS_ZH } from "./applicantFacts";

type S = components["schemas"];
export type FactRow = { path: string; declared: unknown; attested: unknown; reason: string | null };
export type Correction = S["CorrectionIn"];
export type Recommendation = S["RecommendationView"];
export type ExternalReport = S["ExternalReportRecorded"];
export type QueueItem = S["QueueItem"];
export type QualificationDocument = ReviewComponents["schemas"]["DocumentView"];

// -- the facts the unit attests (application-service's domain/facts.py ATTESTABLE) ---------------------------

type Kind = "bool" | "months" | "years" | "year" | "date" | "text" | "choice";
export interface FactSpec {
  label: string;
  kind: Kind;
  options?: Record<string, string>;
  /** Whether "not stated" is a value the reviewer may attest. */
  nullable?: boolean;
}

const GROUPS: Record<string, string> = {
  skill_certificates: "职业技能等级证书",
  bridged_qualifications: "贯通专业技术资格",
  awards: "奖项",
};

/** The employer's facts are org-service's registration (C1, C5): shown beside the declared value, never
 * attested here (the report carries them as corrected "以组织机构系统登记为准"). */
export function isEmployerFact(path: string): boolean {
  const group = path.split(".")[0];
  return group === "staff_status" || group === "employer";
}

const STAFF_STATUS_ZH: Record<string, string> = { on_staff: "在编", off_staff: "非在编" };

export const FACT_SPECS: Record<string, FactSpec> = {
  staff_status: { label: "编制情况（以组织机构登记为准）", kind: "choice", options: STAFF_STATUS_ZH },
  "employer.kind": { label: "单位性质（以组织机构登记为准）", kind: "choice", options: EMPLOYER_KIND_ZH },
  "employer.name": { label: "工作单位", kind: "text" },
  "employer.grassroots": { label: "县以下基层单位（以组织机构登记为准）", kind: "bool" },
  "employer.in_city": { label: "单位在本市（以组织机构登记为准）", kind: "bool" },
  applied_through_employer: { label: "通过用人单位申报", kind: "bool" },
  household_outside_city: { label: "户籍不在本市", kind: "bool" },
  off_staff_stated_by_employer: { label: "单位已注明编外人员身份", kind: "bool" },
  local_talent_selected: { label: "已入选平凉市乡土人才", kind: "bool" },
  outstanding_since_current_title: { label: "取得现职称以来业绩突出", kind: "bool", nullable: true },
  "work.months_in_current_specialty": { label: "从事本专业工作（月）", kind: "months" },
  "work.rural_months": { label: "在农村或基层工作（月）", kind: "months" },
  "work.hard_remote_area": { label: "在艰苦边远地区工作", kind: "bool" },
  "work.months_at_next_lower_post": { label: "任现职称（下一级）以来（月）", kind: "months" },
  "education.level": { label: "最高学历", kind: "choice", options: EDUCATION_NAMES, nullable: true },
  "education.technical_class": { label: "技工院校学历", kind: "choice", options: TECHNICAL_CLASS_ZH, nullable: true },
  "education.major_matches_work": { label: "所学专业与现从事专业相同或相近", kind: "bool" },
  "current_title.level": { label: "现职称级别", kind: "choice", options: TITLE_LEVEL_NAMES },
  "current_title.obtained_on": { label: "现职称取得日期", kind: "date" },
  "skill_certificates.*.grade": { label: "等级", kind: "choice", options: SKILL_GRADE_ZH },
  "skill_certificates.*.obtained_on": { label: "取得日期", kind: "date" },
  "skill_certificates.*.matching_work_months": { label: "从事相应工作（月）", kind: "months" },
  "bridged_qualifications.*.field": { label: "领域", kind: "text" },
  "bridged_qualifications.*.level": { label: "级别", kind: "choice", options: TITLE_LEVEL_NAMES },
  "bridged_qualifications.*.obtained_on": { label: "取得日期", kind: "date" },
  "front_line.roster_id": { label: "一线人员名册编号", kind: "text", nullable: true },
  "front_line.missed_2020_promotion": { label: "2020年未能享受倾斜政策", kind: "bool" },
  "awards.*.year": { label: "获奖年度", kind: "year" },
  "awards.*.kind": { label: "奖励类别", kind: "choice", options: AWARD_KIND_ZH },
  "awards.*.level": { label: "奖励级别", kind: "choice", options: AWARD_LEVEL_ZH },
  "three_long_two_outstanding.grassroots_years": { label: "基层工作年限（年）", kind: "years" },
  "three_long_two_outstanding.tenure_years": { label: "任职年限（年）", kind: "years" },
  "three_long_two_outstanding.years_at_one_post_level": { label: "任同一级岗位年限（年）", kind: "years" },
  "three_long_two_outstanding.outstanding_before_current_title": { label: "取得现职称前业绩突出", kind: "bool" },
  "three_long_two_outstanding.outstanding_since_current_title": { label: "取得现职称后业绩突出", kind: "bool" },
};

const pattern = (path: string) => path.split(".").map((p) => (/^\d+$/.test(p) ? "*" : p)).join(".");

export function factSpec(path: string): FactSpec {
  return FACT_SPECS[pattern(path)] ?? { label: path, kind: "text" };
}

/** "awards.1.level" → "奖项2·奖励级别". */
export function factLabel(path: string): string {
  const parts = path.split(".");
  const spec = factSpec(path);
  if (parts.length === 3 && /^\d+$/.test(parts[1]) && GROUPS[parts[0]]) {
    return `${GROUPS[parts[0]]}${Number(parts[1]) + 1}·${spec.label}`;
  }
  return spec.label;
}

/** A fact's value as people read it. */
export function factText(path: string, value: unknown): string {
  if (value === null || value === undefined || value === "") return "未填";
  const spec = factSpec(path);
  if (spec.kind === "bool") return value ? "是" : "否";
  if (spec.kind === "choice") return spec.options?.[String(value)] ?? String(value);
  return String(value);
}

/** One row of the attestation dialog: the declared fact, whether the reviewer corrects it, to what, why. */
export interface AttestRow {
  path: string;
  declared: unknown;
  corrected: boolean;
  attested: unknown;
  reason: string;
}

function same(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) => (v === "" || v === undefined ? null : v);
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

/** The dialog's rows from the report's facts (the employer's left out): the corrections already attested
 * shown as corrected. */
export function attestRows(facts: FactRow[]): AttestRow[] {
  return facts.filter((f) => !isEmployerFact(f.path)).map((f) => ({
    path: f.path,
    declared: f.declared,
    corrected: f.reason !== null && f.reason !== undefined,
    attested: f.reason !== null && f.reason !== undefined ? f.attested : f.declared,
    reason: f.reason ?? "",
  }));
}

export const MAX_CORRECTION_REASON = 500;

/** What is wrong with a row ("" when nothing). */
export function attestRowError(row: AttestRow): string {
  if (!row.corrected) return "";
  const spec = factSpec(row.path);
  if (!row.reason.trim()) return "更正申报事实时必须说明理由";
  if (row.reason.trim().length > MAX_CORRECTION_REASON) return `理由不超过 ${MAX_CORRECTION_REASON} 个字`;
  if ((row.attested === null || row.attested === undefined || row.attested === "") && !spec.nullable) return "请填写核实值";
  if (same(row.attested, row.declared)) return "核实值与填报值相同，无需更正";
  return "";
}

/** The complete set of corrections (each attestation replaces the one before; none = all confirmed). */
export function attestationBody(rows: AttestRow[]): Correction[] {
  return rows
    .filter((r) => r.corrected)
    .map((r) => ({ path: r.path, attested: (r.attested === "" ? null : r.attested) as Correction["attested"], reason: r.reason.trim() }));
}

/** "body.corrections.2.reason" / "corrections.2.attested" → the row it names (index) and its field. */
export function correctionAt(field: string | null | undefined): { index: number; field: string } | null {
  const m = /corrections\.(\d+)\.(\w+)/.exec(field ?? "");
  return m ? { index: Number(m[1]), field: m[2] } : null;
}

// -- the expert recommendation (POL-ER-1) ------------------------------------------------------------------------

export const RECOMMENDATION_STATUS_ZH: Record<string, string> = {
  requested: "已提出书面申请，待单位表态",
  agreed: "单位已同意",
  refused: "单位不同意",
};
/** The statuses in which the applicant may request (and the employer answer): under review, not decided. */
export const RECOMMENDATION_REQUESTABLE = ["draft", "returned", "submitted", "unit_approved", "department_approved"];
export const MAX_REQUEST_TEXT = 2000;

export interface RecommendationRequestForm {
  recommending_expert_id: string;
  request_text: string;
  recommendation_text: string;
}

export function recommendationRequestErrors(form: RecommendationRequestForm): Partial<Record<keyof RecommendationRequestForm, string>> {
  const errors: Partial<Record<keyof RecommendationRequestForm, string>> = {};
  if (!form.recommending_expert_id.trim()) errors.recommending_expert_id = "请填写举荐专家的账号";
  else if (form.recommending_expert_id.trim().length > 100) errors.recommending_expert_id = "账号不超过 100 个字";
  if (!form.request_text.trim()) errors.request_text = "请填写向用人单位提出的书面申请";
  else if (form.request_text.length > MAX_REQUEST_TEXT) errors.request_text = `书面申请不超过 ${MAX_REQUEST_TEXT} 字`;
  if (!form.recommendation_text.trim()) errors.recommendation_text = "请填写专家举荐意见";
  else if (form.recommendation_text.length > MAX_RECOMMENDATION_TEXT) errors.recommendation_text = `举荐意见不超过 ${MAX_RECOMMENDATION_TEXT} 字`;
  return errors;
}

/** Whether the applicant may make a (new) request: none yet or the last one refused, while requestable. */
export function mayRequestRecommendation(status: string, view: Pick<Recommendation, "status"> | null): boolean {
  return RECOMMENDATION_REQUESTABLE.includes(status) && (view === null || view.status === "refused");
}
export const MAX_RECOMMENDATION_TEXT = 10000;

/** The blind review's result in words (counts only, never who reviewed; whether it counts is POL-ER-1's
 * outcome in the eligibility report). */
export function blindReviewText(view: Pick<Recommendation, "status" | "blind_review">): string {
  if (view.status !== "agreed") return "";
  const b = view.blind_review as { approvals?: number; total?: number } | null | undefined;
  if (!b || !b.total) return "盲审进行中";
  return `盲审已结束：${b.total} 名专家中 ${b.approvals ?? 0} 名同意（是否可作为业绩条件见资格审查报告 POL-ER-1）`;
}

const appPath = (id: string) => ({ params: { path: { application_id: id } } });

export const recommendationApi = {
  /** The application's recommendation, or null when none was requested. */
  async read(id: string): Promise<Recommendation | null> {
    try {
      return await call(applicationApi.GET("/api/v1/applications/{application_id}/expert-recommendation", appPath(id)));
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 404 && error.code === "recommendation_not_found") return null;
      throw error;
    }
  },
  request(id: string, body: S["RecommendationRequestIn"], key: string) {
    return call(
      applicationApi.POST("/api/v1/applications/{application_id}/expert-recommendation", {
        params: { path: { application_id: id }, header: { "Idempotency-Key": key } },
        body,
      }),
    );
  },
  consent(id: string, agreed: boolean, reason: string, key: string) {
    return call(
      applicationApi.POST("/api/v1/applications/{application_id}/expert-recommendation/consent", {
        params: { path: { application_id: id }, header: { "Idempotency-Key": key } },
        body: { agreed, reason },
      }),
    );
  },
};

export const newKey = commandKey;

// -- the attestation -----------------------------------------------------------------------------------------

export function attest(id: string, corrections: Correction[], expectedVersion: number) {
  return call(
    applicationApi.POST("/api/v1/applications/{application_id}/attestation", {
      ...appPath(id),
      body: { corrections, expected_version: expectedVersion },
    }),
  );
}

// -- the external plagiarism report (POL-PA-4) -------------------------------------------------------------------

export interface ExternalReportForm {
  provider: string;
  report_number: string;
  /** In percent as the report prints it (去除本人已发表文献复制比). */
  copy_percent: number | null;
  attested: boolean;
}

export function externalReportErrors(form: ExternalReportForm, file: File | null): Partial<Record<keyof ExternalReportForm | "file", string>> {
  const errors: Partial<Record<keyof ExternalReportForm | "file", string>> = {};
  if (form.provider.trim().length < 2) errors.provider = "请填写查重机构（至少 2 个字）";
  else if (form.provider.trim().length > 50) errors.provider = "查重机构不超过 50 个字";
  if (!form.report_number.trim()) errors.report_number = "请填写报告编号";
  else if (form.report_number.trim().length > 64) errors.report_number = "报告编号不超过 64 个字";
  if (form.copy_percent === null || form.copy_percent < 0 || form.copy_percent > 100) errors.copy_percent = "复制比应在 0–100% 之间";
  if (!form.attested) errors.attested = "须经用人单位审核无误并加盖公章后上传";
  if (!file) errors.file = "请选择查重报告 PDF 文件";
  else if (file.type && file.type !== "application/pdf") errors.file = "查重报告须为 PDF 文件";
  else if (file.size > 20 * 1024 * 1024) errors.file = "文件不超过 20 MB";
  return errors;
}

/** Whether the employer's report may stand in for the paper's check: the automatic check could not
 * check it (CNKI does not hold it), for no fault of the applicant's input. */
export function externalReportWanted(check: Record<string, unknown> | undefined): boolean {
  return !!check && check.decision === "rejected" && check.applicant_caused !== true;
}

/** Uploads the report with its fields (multipart). The typed client sends it in one request; the shared
 * uploadWithProgress carries no form fields besides the file, so the page shows the upload as running. */
export function uploadExternalReport(id: string, paperId: string, form: ExternalReportForm, file: File): Promise<ExternalReport> {
  const ratio = Math.round(((form.copy_percent ?? 0) / 100) * 10000) / 10000;
  return call(
    applicationApi.POST("/api/v1/applications/{application_id}/papers/{paper_id}/external-report", {
      params: { path: { application_id: id, paper_id: paperId } },
      body: {
        file: file as unknown as string,
        copy_ratio: ratio,
        provider: form.provider.trim(),
        report_number: form.report_number.trim(),
        attested: form.attested,
      },
      bodySerializer: (body) => {
        const data = new FormData();
        for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
          if (v instanceof Blob) data.append(k, v, (v as File).name ?? "report.pdf");
          else data.append(k, String(v));
        }
        return data;
      },
    }),
  );
}

// -- the applicant's qualification documents (review-service, NAT-10) --------------------------------------------

/** The documents issued for one application (a handful at most: one, and those a revocation replaced). */
export async function documentsOf(applicationId: string): Promise<QualificationDocument[]> {
  const page = await call(reviewApi.GET("/api/v1/documents", { params: { query: { application_id: applicationId, limit: 100 } } }));
  return page.items;
}

export function downloadCertificate(doc: Pick<QualificationDocument, "document_id" | "number">): Promise<void> {
  return downloadFile(`/api/v1/documents/${encodeURIComponent(doc.document_id)}/certificate.pdf`, `职称证书-${doc.number}.pdf`);
}

// -- the lists ------------------------------------------------------------------------------------------------

export interface QueueFilters {
  mine: boolean;
  status: string;
  series: string;
  level: string;
  unit: string;
  year: number | null;
}

export function emptyQueueFilters(): QueueFilters {
  return { mine: true, status: "", series: "", level: "", unit: "", year: null };
}

export function queueQuery(filters: QueueFilters, window: PageQuery) {
  return {
    mine: filters.mine,
    status: filters.status || undefined,
    series: filters.series || undefined,
    level: filters.level || undefined,
    unit: filters.unit || undefined,
    year: filters.year ?? undefined,
    limit: window.limit,
    offset: window.offset,
  };
}

export function fetchQueue(filters: QueueFilters, window: PageQuery) {
  return call(applicationApi.GET("/api/v1/applications/review-queue", { params: { query: queueQuery(filters, window) } }));
}
