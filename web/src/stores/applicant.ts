// The applicant's pages: their applications, the form's model and its body, the timeline from the
// application's events, the attachments' quota, the papers' checks, and the uploads with progress.
import { APPLICATION_EVENT_NAMES, APPLICATION_STATUS_NAMES, nameOf } from "@/domain/vocabulary";
import { defineStore } from "pinia";
import { ref } from "vue";
import { applicationApi, call, commandKey, plagiarismApi } from "@/api/client";
import type { components } from "@/api/generated/application-service";
import type { components as PlagiarismComponents } from "@/api/generated/plagiarism-service";
import { ApiProblem } from "@/api/problem";
import { authorizedGet, downloadFile, uploadWithProgress } from "@/api/files";
import { EDITED_FACTS, emptyFacts, employerBody, factsBody, factsFromContent, type FactsForm } from "./applicantFacts";

type S = components["schemas"];
export type ApplicationView = S["ApplicationView"];
export type ApplicationContentOut = S["ApplicationContentOut"];
export type ApplicantLimits = S["ApplicantLimits"];
export type EligibilityReport = S["EligibilityOut"];
export type Attachment = S["AttachmentAdded"];
export type NewApplicationBody = S["NewApplicationIn"];
export type ApplicationBody = S["ApplicationIn"];
export type PaperBody = S["PaperIn"];
export type Level = ApplicationBody["level"];
export type Track = ApplicationBody["track"];
export type CheckReport = PlagiarismComponents["schemas"]["CheckOut"];

// -- Chinese names of the codes the service answers with ---------------------------------------------


export function statusZh(status: string): string {
  return nameOf(APPLICATION_STATUS_NAMES, status);
}

/** The el-tag type of a status: green once through, red when stopped, orange when it waits on the applicant. */
export function statusTagType(status: string): "primary" | "success" | "warning" | "danger" | "info" {
  if (["titled", "office_approved", "filing_approved", "awaiting_document"].includes(status)) return "success";
  if (["not_passed", "eligibility_cancelled", "returned_by_province"].includes(status)) return "danger";
  if (["returned", "draft"].includes(status)) return "warning";
  if (status === "withdrawn") return "info";
  return "primary";
}




export const JOURNAL_LEVEL_ZH: Record<string, string> = { core: "核心期刊", provincial: "省级期刊" };

export const STEP_ZH: Record<string, string> = { unit: "单位", department: "主管部门", title_office: "职改办" };

export const OUTCOME_ZH: Record<string, string> = {
  pass: "通过",
  fail: "未通过",
  warn: "提示",
  not_applicable: "不适用",
  excluded: "不予认可",
  pending: "待定",
};

export function outcomeTagType(outcome: string): "success" | "danger" | "warning" | "info" {
  if (outcome === "pass") return "success";
  if (outcome === "fail" || outcome === "excluded") return "danger";
  if (outcome === "warn" || outcome === "pending") return "warning";
  return "info";
}

export const ROUTE_ZH: Record<string, string> = {
  committee: "评委会评审",
  employer_assessment: "由用人单位考核认定",
  direct_appointment: "直接认定",
};

// -- the form --------------------------------------------------------------------------------------------

export interface PaperForm {
  paper_id?: string | null;
  title: string;
  journal: string;
  journal_level: PaperBody["journal_level"];
  published_on: string;
  authors: string[];
  text: string;
  cn_number: string;
  issue_type: PaperBody["issue_type"];
  electronic: boolean;
  press_listed?: boolean | null;
}

export interface ApplicationForm {
  year: number;
  series: string;
  specialty: string;
  level: Level;
  track: Track;
  staff_status: "" | "on_staff" | "off_staff";
  employer_name: string;
  education_level: string;
  major_matches_work: boolean;
  months_in_current_specialty: number;
  months_at_next_lower_post: number;
  rural_months: number;
  hard_remote_area: boolean;
  current_title_level: "" | Level;
  current_title_obtained_on: string;
  papers: PaperForm[];
  /** Awards, certificates, the front line and the other facts the POL-… rules read (stores/applicantFacts). */
  facts: FactsForm;
  /** Facts no input edits (none the service takes today): kept as they were and sent back unchanged. */
  other_facts: Record<string, unknown>;
}

export function emptyPaper(): PaperForm {
  return {
    title: "",
    journal: "",
    journal_level: "provincial",
    published_on: "",
    authors: [],
    text: "",
    cn_number: "",
    issue_type: "regular",
    electronic: false,
  };
}

export function emptyForm(year: number): ApplicationForm {
  return {
    year,
    series: "",
    specialty: "",
    level: "intermediate",
    track: "normal",
    staff_status: "",
    employer_name: "",
    education_level: "",
    major_matches_work: true,
    months_in_current_specialty: 0,
    months_at_next_lower_post: 0,
    rural_months: 0,
    hard_remote_area: false,
    current_title_level: "",
    current_title_obtained_on: "",
    papers: [],
    facts: emptyFacts(),
    other_facts: {},
  };
}

type Facts = Record<string, unknown>;
const FORM_FACTS = ["staff_status", "employer", "education", "work", "current_title", ...EDITED_FACTS];

function obj(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The form from the application as its applicant filled it in (GET …/content). */
export function formFromContent(content: ApplicationContentOut["content"]): ApplicationForm {
  const facts: Facts = { ...content.facts };
  const education = obj(facts.education);
  const work = obj(facts.work);
  const title = obj(facts.current_title);
  const employer = obj(facts.employer);
  const other: Facts = {};
  for (const [key, value] of Object.entries(facts)) if (!FORM_FACTS.includes(key)) other[key] = value;
  return {
    year: content.year,
    series: content.series,
    specialty: content.specialty,
    level: content.level as Level,
    track: content.track as Track,
    staff_status: (facts.staff_status as ApplicationForm["staff_status"]) ?? "",
    employer_name: (employer.name as string) ?? "",
    education_level: (education.level as string) ?? "",
    major_matches_work: education.major_matches_work !== false,
    months_in_current_specialty: Number(work.months_in_current_specialty ?? 0),
    months_at_next_lower_post: Number(work.months_at_next_lower_post ?? 0),
    rural_months: Number(work.rural_months ?? 0),
    hard_remote_area: Boolean(work.hard_remote_area),
    current_title_level: (title.level as Level) ?? "",
    current_title_obtained_on: (title.obtained_on as string) ?? "",
    papers: content.papers.map((p) => ({
      paper_id: p.paper_id ?? null,
      title: p.title,
      journal: p.journal,
      journal_level: p.journal_level as PaperBody["journal_level"],
      published_on: p.published_on,
      authors: [...p.authors],
      text: p.text,
      cn_number: p.cn_number ?? "",
      issue_type: (p.issue_type ?? "regular") as PaperBody["issue_type"],
      electronic: Boolean(p.electronic),
      press_listed: p.press_listed ?? null,
    })),
    facts: factsFromContent(facts),
    other_facts: other,
  };
}

export function paperBody(p: PaperForm): PaperBody {
  const body: PaperBody = {
    title: p.title.trim(),
    journal: p.journal.trim(),
    journal_level: p.journal_level,
    published_on: p.published_on,
    authors: p.authors.map((a) => a.trim()).filter(Boolean),
    text: p.text,
    issue_type: p.issue_type,
    electronic: p.electronic,
  };
  if (p.cn_number.trim()) body.cn_number = p.cn_number.trim();
  if (p.press_listed !== undefined && p.press_listed !== null) body.press_listed = p.press_listed;
  return body;
}

/** The body PUT /api/v1/applications/{id} takes (POST adds `submit`). */
export function bodyFromForm(form: ApplicationForm): ApplicationBody {
  const body = {
    ...form.other_facts,
    ...factsBody(form.facts),
    year: form.year,
    series: form.series.trim(),
    specialty: form.specialty.trim(),
    level: form.level,
    track: form.track,
    papers: form.papers.map(paperBody),
    work: {
      months_in_current_specialty: form.months_in_current_specialty,
      months_at_next_lower_post: form.months_at_next_lower_post,
      rural_months: form.rural_months,
      hard_remote_area: form.hard_remote_area,
    },
  } as ApplicationBody;
  if (form.staff_status) body.staff_status = form.staff_status;
  const employer = employerBody(form.employer_name, form.facts);
  if (employer) body.employer = employer;
  if (form.education_level || form.facts.technical_class) {
    body.education = { major_matches_work: form.major_matches_work };
    if (form.education_level) body.education.level = form.education_level as NonNullable<ApplicationBody["education"]>["level"];
    if (form.facts.technical_class) body.education.technical_class = form.facts.technical_class;
  }
  if (form.current_title_level && form.current_title_obtained_on) {
    body.current_title = { level: form.current_title_level, obtained_on: form.current_title_obtained_on };
  }
  return body;
}

/** "body.papers.0.text" → "papers.text": where a refusal belongs in the form (indexes dropped). */
export function fieldKey(path: string): string {
  return path
    .split(".")
    .filter((p) => p && !/^\d+$/.test(p) && !["body", "query", "path"].includes(p))
    .join(".");
}

/** A refusal's messages by form field (full paths, so education.level is not the application's level). */
export function problemFields(problem: ApiProblem): Record<string, string> {
  const fields: Record<string, string> = {};
  const body = problem.body;
  for (const e of body.errors ?? []) if (e.field) fields[fieldKey(e.field)] = e.message;
  if (typeof body.field === "string" && body.field) fields[fieldKey(body.field)] = problem.message_zh;
  return fields;
}

// -- reading ---------------------------------------------------------------------------------------------

export interface TimelineEntry {
  key: string;
  title: string;
  at: string;
  type: "primary" | "success" | "warning" | "danger" | "info";
  lines: string[];
}


const TRIGGER_ZH: Record<string, string> = {
  submitted: "提交时",
  resubmitted: "重新提交时",
  facts_attested: "单位核实事实后",
  paper_checked: "论文查重后",
};

const DECISION_ZH: Record<string, string> = { pass: "通过", fail: "未通过", pending: "待定", rejected: "无法检测" };

export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const shanghai = new Date(d.getTime() + 8 * 3600 * 1000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${shanghai.getUTCFullYear()}-${p(shanghai.getUTCMonth() + 1)}-${p(shanghai.getUTCDate())} ${p(shanghai.getUTCHours())}:${p(shanghai.getUTCMinutes())}`;
}

export function percent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined ? "—" : `${(ratio * 100).toFixed(1)}%`;
}

/** What happened to the application, newest first, from its events (the view's `history`). */
export function timelineOf(history: Record<string, unknown>[]): TimelineEntry[] {
  const entries = history.map((h, i): TimelineEntry => {
    const type = String(h.event_type ?? "");
    const lines: string[] = [];
    let title = APPLICATION_EVENT_NAMES[type] ?? type;
    let tag: TimelineEntry["type"] = "primary";
    if (typeof h.step === "string" && STEP_ZH[h.step] && type === "ApplicationReturned") {
      title = `${STEP_ZH[h.step]}退回修改`;
    }
    if (Array.isArray(h.reasons)) for (const r of h.reasons) lines.push(`退回理由：${String(r)}`);
    if (typeof h.opinion === "string" && h.opinion) lines.push(`审核意见：${h.opinion}`);
    if (typeof h.reason === "string" && h.reason) lines.push(`说明：${h.reason}`);
    if (typeof h.filename === "string") lines.push(`文件：${h.filename}`);
    if (typeof h.starts_on === "string") lines.push(`公示开始日期：${h.starts_on}`);
    if (type === "EligibilityAssessed") {
      lines.push(h.eligible === false ? "结果：存在不符合的硬性条件" : "结果：未发现不符合的硬性条件");
      if (typeof h.trigger === "string") lines.push(`评估时点：${TRIGGER_ZH[h.trigger] ?? h.trigger}`);
      tag = h.eligible === false ? "danger" : "success";
    }
    if (type === "PaperCheckRecorded") {
      const decision = String(h.decision ?? "");
      lines.push(`复制比：${percent(h.copy_ratio as number | null)}，结论：${DECISION_ZH[decision] ?? decision}`);
      tag = decision === "pass" ? "success" : decision === "fail" ? "danger" : "warning";
    }
    if (type === "ApplicationDecided") {
      lines.push(h.outcome === "titled" ? "评审通过，取得职称" : "评审未通过");
      if (typeof h.document_number === "string") lines.push(`文号：${h.document_number}`);
    }
    if (type === "ProvincialVerdictRecorded") lines.push(h.verdict === "approved" ? "备案通过" : "备案退回");
    if (["ApplicationReturned", "ApplicationWithdrawn", "EligibilityCancelled"].includes(type)) tag = "warning";
    if (type.endsWith("Approved") || type === "ApplicationSubmitted" || type === "ApplicationResubmitted") tag = "success";
    return { key: `${h.version ?? i}-${type}`, title, at: formatTime(String(h.occurred_at ?? "")), type: tag, lines };
  });
  return entries.reverse();
}

export interface Usage {
  files: number;
  bytes: number;
  maxFiles: number;
  maxBytes: number;
  percent: number;
  full: boolean;
}

export function attachmentUsage(items: { size: number }[], limits: Pick<ApplicantLimits, "max_attachments" | "max_attachment_total_bytes">): Usage {
  const bytes = items.reduce((sum, a) => sum + a.size, 0);
  const byFiles = items.length / limits.max_attachments;
  const byBytes = bytes / limits.max_attachment_total_bytes;
  return {
    files: items.length,
    bytes,
    maxFiles: limits.max_attachments,
    maxBytes: limits.max_attachment_total_bytes,
    percent: Math.min(100, Math.round(Math.max(byFiles, byBytes) * 100)),
    full: items.length >= limits.max_attachments || bytes >= limits.max_attachment_total_bytes,
  };
}

export function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 1024 * 1024 ? 2 : 1)} MB`;
}

export interface PaperCheckState {
  paper_id: string;
  title: string;
  state: "running" | "pass" | "fail" | "pending" | "rejected";
  copy_ratio: number | null;
  threshold: number | null;
  check_id: string | null;
  source: string | null;
  reason: string | null;
}

/** Each submitted paper's check: running until plagiarism-service's answer is recorded. */
export function checkStates(app: Pick<ApplicationView, "papers" | "checks" | "status">): PaperCheckState[] {
  if (app.status === "draft") return [];
  return app.papers.map((p) => {
    const id = String(p.paper_id ?? "");
    const check = app.checks[id];
    const decision = check ? String(check.decision ?? "pending") : "running";
    return {
      paper_id: id,
      title: String(p.title ?? ""),
      state: (["pass", "fail", "pending", "rejected"].includes(decision) ? decision : "running") as PaperCheckState["state"],
      copy_ratio: check ? ((check.copy_ratio as number | null) ?? null) : null,
      threshold: check ? ((check.threshold as number | null) ?? null) : null,
      check_id: check ? String(check.check_id ?? "") || null : null,
      source: check ? ((check.source as string | null) ?? null) : null,
      reason: check ? ((check.reason as string | null) ?? null) : null,
    };
  });
}

export function checksRunning(app: Pick<ApplicationView, "papers" | "checks" | "status">): boolean {
  if (["draft", "withdrawn"].includes(app.status)) return false;
  return checkStates(app).some((c) => c.state === "running");
}

export interface MatchedSource {
  source: string;
  chars: number;
  passages: number;
  own: boolean;
}

/** The sources a check matched, the largest first (passages grouped by their source). */
export function matchedSources(check: Pick<CheckReport, "passages">): MatchedSource[] {
  const by = new Map<string, MatchedSource>();
  for (const p of check.passages) {
    const s = by.get(p.source_external_id) ?? { source: p.source_external_id, chars: 0, passages: 0, own: p.own };
    s.chars += p.end - p.start;
    s.passages += 1;
    by.set(p.source_external_id, s);
  }
  return [...by.values()].sort((a, b) => b.chars - a.chars);
}

/** The latest return's reasons, from the events. */
export function lastReturn(history: Record<string, unknown>[]): { step: string; reasons: string[] } | null {
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i];
    if (h.event_type === "ApplicationReturned") {
      return { step: STEP_ZH[String(h.step)] ?? String(h.step ?? ""), reasons: (h.reasons as string[]) ?? [] };
    }
  }
  return null;
}

// -- calls -----------------------------------------------------------------------------------------------

const path = (id: string) => ({ params: { path: { application_id: id } } });

export const applicantApi = {
  list(params: { status?: string; limit: number; offset: number }) {
    const query = { limit: params.limit, offset: params.offset, ...(params.status ? { status: params.status } : {}) };
    return call(applicationApi.GET("/api/v1/applications", { params: { query } }));
  },
  read(id: string) {
    return call(applicationApi.GET("/api/v1/applications/{application_id}", path(id)));
  },
  content(id: string) {
    return call(applicationApi.GET("/api/v1/applications/{application_id}/content", path(id)));
  },
  create(body: ApplicationBody, submit: boolean, key: string) {
    return call(
      applicationApi.POST("/api/v1/applications", {
        body: { ...body, submit } as NewApplicationBody,
        params: { header: { "Idempotency-Key": key } },
      }),
    );
  },
  edit(id: string, body: ApplicationBody, expectedVersion: number) {
    return call(
      applicationApi.PUT("/api/v1/applications/{application_id}", {
        params: { path: { application_id: id }, query: { expected_version: expectedVersion } },
        body,
      }),
    );
  },
  submit(id: string) {
    return call(applicationApi.POST("/api/v1/applications/{application_id}/submit", path(id)));
  },
  withdraw(id: string, reason: string) {
    return call(
      applicationApi.POST("/api/v1/applications/{application_id}/withdraw", { ...path(id), body: { reason } }),
    );
  },
  eligibility(id: string) {
    return call(applicationApi.GET("/api/v1/applications/{application_id}/eligibility", path(id)));
  },
  attachments(id: string) {
    return call(applicationApi.GET("/api/v1/applications/{application_id}/attachments", path(id)));
  },
  removeAttachment(id: string, attachmentId: string) {
    return call(
      applicationApi.DELETE("/api/v1/applications/{application_id}/attachments/{attachment_id}", {
        params: { path: { application_id: id, attachment_id: attachmentId } },
      }),
    );
  },
  check(checkId: string) {
    return call(plagiarismApi.GET("/api/v1/checks/{check_id}", { params: { path: { check_id: checkId } } }));
  },
  async schedule(year: number): Promise<string[]> {
    try {
      const found = await call(
        applicationApi.GET("/api/v1/schedules/{year}", { params: { path: { year } } }),
      );
      return found.series.map((s) => s.series);
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 404) return [];
      throw error;
    }
  },
};

/** A new key for a command the service makes idempotent (re-exported for the pages). */
export const newCommandKey = commandKey;

/** Uploads one file with its progress. */
export function uploadAttachment(id: string, file: File, onProgress: (percent: number) => void): Promise<Attachment> {
  return uploadWithProgress<Attachment>(`/api/v1/applications/${encodeURIComponent(id)}/attachments`, file, onProgress);
}

/** Downloads an attachment with the bearer token (a plain link would carry none). */
export function downloadAttachment(id: string, attachment: Attachment): Promise<void> {
  const url = `/api/v1/applications/${encodeURIComponent(id)}/attachments/${encodeURIComponent(attachment.attachment_id)}`;
  return downloadFile(url, attachment.filename);
}

/** Opens plagiarism-service's HTML report of a check (similar passages marked) in a new window; the
 * window is opened at the click (a window opened after a network wait is blocked as a pop-up). */
export async function openCheckReport(checkId: string): Promise<void> {
  const target = window.open("", "_blank");
  let response: Response;
  try {
    response = await authorizedGet(`/api/v1/checks/${encodeURIComponent(checkId)}/report`);
  } catch (error) {
    target?.close();
    throw error;
  }
  const page = URL.createObjectURL(new Blob([await response.text()], { type: "text/html;charset=utf-8" }));
  if (target) target.location.href = page;
  else window.location.assign(page);
}

// -- the application open in the pages --------------------------------------------------------------------

export const useApplicantStore = defineStore("applicant", () => {
  const current = ref<ApplicationView | null>(null);
  const loading = ref(false);

  async function open(id: string): Promise<ApplicationView> {
    loading.value = true;
    try {
      current.value = await applicantApi.read(id);
      return current.value;
    } finally {
      loading.value = false;
    }
  }

  /** Reads the application again without showing the page as loading (polling while checks run). */
  async function refresh(): Promise<ApplicationView | null> {
    if (!current.value) return null;
    current.value = await applicantApi.read(current.value.id);
    return current.value;
  }

  function replace(view: ApplicationView): void {
    current.value = view;
  }

  return { current, loading, open, refresh, replace };
});
