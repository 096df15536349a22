// The review chain's and the title offices' pages: the Chinese names of statuses, steps, levels and
// tracks, and the small computations the pages share (downloads, push groups, the push months against
// today, the push batches' queries).
import { reactive } from "vue";
import { applicationApi, call } from "@/api/client";
import { downloadFile } from "@/api/files";
import type { components } from "@/api/generated/application-service";
import type { Page, PageQuery } from "@/composables/usePagedList";
import { nameOf, TITLE_LEVEL_NAMES } from "@/domain/vocabulary";

export type QueueItem = components["schemas"]["QueueItem"];
export type ApplicationView = components["schemas"]["ApplicationView"];
export type OfficeStats = components["schemas"]["OfficeStats"];
export type FilingView = components["schemas"]["FilingView"];


/** el-tag types by status: what waits (warning), what passed (success), what was turned back (danger). */
export function statusTag(status: string): "primary" | "success" | "warning" | "danger" | "info" {
  if (["submitted", "unit_approved", "department_approved", "in_committee_review", "in_results_publicity"].includes(status))
    return "warning";
  if (["office_approved", "pushed", "filing_approved", "titled", "awaiting_document"].includes(status)) return "success";
  if (["returned", "returned_by_province", "not_passed", "eligibility_cancelled"].includes(status)) return "danger";
  return "info";
}

export const STEP_NAMES: Record<string, string> = { unit: "单位审核", department: "主管部门审核", title_office: "职改办审核" };
export const OUTCOME_NAMES: Record<string, string> = {
  pass: "符合",
  fail: "不符合",
  pending: "待定",
  not_applicable: "不适用",
  excluded: "不予认定",
  advisory: "提示",
};
export const FILING_STATUS_NAMES: Record<string, string> = {
  delivering: "报送中",
  waiting_for_province: "待省职改办审核",
  done: "审核完毕",
};
export const WINDOW_STATUS_NAMES: Record<string, string> = { open: "推送中", closed: "已截止", withdrawn: "已撤销" };


/** A series' push window as the schedule shows it: its own status once it opened; before that, 未开始 —
 * or, once the push deadline has passed without a window ever opening, 未开启 (nothing could be pushed). */
export function pushWindowStatusName(status: string | undefined, pushDeadline: string, now: Date = new Date()): string {
  if (status) return nameOf(WINDOW_STATUS_NAMES, status);
  return now.getTime() >= new Date(pushDeadline).getTime() ? "未开启（已过推送截止）" : "未开始";
}

/** Why an office was alerted about a filing (the filing workflow's escalations). */
export const ESCALATION_NAMES: Record<string, string> = { delivery_failing: "报送失败", verdict_overdue: "审核逾期" };

/** An instant as its date and minute ("2026-11-30 09:05"), or — when there is none. */
export function shortTime(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 16).replace("T", " ") : "—";
}

/** The longest a return's reasons may be (the service's bound on `opinion`). */
export const OPINION_MAX = 2000;

/** A return needs its reasons; an approval's opinion is optional. Both are bounded. */
export function opinionError(decision: "approve" | "return", opinion: string): string {
  if (decision === "return" && !opinion.trim()) return "退回时必须填写退回理由。";
  if (opinion.length > OPINION_MAX) return `意见不能超过 ${OPINION_MAX} 个字。`;
  return "";
}

/** Pushes go by year, series and level: the groups the selected office-approved applications form. */
export type PushBody = components["schemas"]["PushIn"];

export function pushGroups(items: readonly Pick<QueueItem, "id" | "year" | "series" | "level">[]): PushBody[] {
  const groups = new Map<string, PushBody>();
  for (const item of items) {
    const key = `${item.year}|${item.series}|${item.level}`;
    const level = item.level as PushBody["level"];
    const group = groups.get(key) ?? { year: item.year, series: item.series, level, application_ids: [] };
    group.application_ids.push(item.id);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** A rate as people read it: "75.0%", or "—" when nothing has concluded yet. */
export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(1)}%`;
}

/** The last day of a period that closes at `closesAt` (24:00 of that day, Asia/Shanghai): "2026-10-31"
 * for "2026-11-01T00:00:00+08:00". */
export function lastDayBefore(closesAt: string): string {
  const instant = Date.parse(closesAt);
  if (Number.isNaN(instant)) return closesAt.slice(0, 10);
  return new Date(instant - 1).toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
}

export interface PushMonthRow {
  series: string;
  push_month: number;
  deadline: string;
  state: "past" | "current" | "coming";
}

/** The year's push months against today: passed, this month, or to come (the timeline chart's data). */
export function pushMonthsAgainst(
  year: number,
  today: string,
  series: readonly { series: string; push_month: number; push_deadline: string }[],
): PushMonthRow[] {
  const [y, m] = today.split("-").map(Number);
  const order = (month: number) => (year - y) * 12 + (month - m);
  return [...series]
    .sort((a, b) => a.push_month - b.push_month || a.series.localeCompare(b.series, "zh"))
    .map((s) => ({
      series: s.series,
      push_month: s.push_month,
      deadline: lastDayBefore(s.push_deadline),
      state: order(s.push_month) < 0 ? "past" : order(s.push_month) === 0 ? "current" : "coming",
    }));
}

// -- push batches (GET /api/v1/pushes), their filing and the year's push windows --------------------------

export type PushBatch = components["schemas"]["PushBatch"];
export type YearWindows = components["schemas"]["YearWindows"];

export interface PushBatchFilters {
  year: number | null;
  series: string;
  level: string;
}

/** One page of the push batches of the caller's subtree, newest first, for the filters. */
export async function fetchPushBatches(filters: PushBatchFilters, window: PageQuery): Promise<Page<PushBatch>> {
  const query = {
    year: filters.year ?? undefined,
    series: filters.series.trim() || undefined,
    level: filters.level || undefined,
    limit: window.limit,
    offset: window.offset,
  };
  const body = await call(applicationApi.GET("/api/v1/pushes", { params: { query } }));
  return { items: body.items, total: body.total };
}

/** A batch's provincial filing (POL-FI-1): delivered or not, each verdict, the escalations. */
export function fetchFiling(pushId: string): Promise<FilingView> {
  return call(applicationApi.GET("/api/v1/filings/{push_id}", { params: { path: { push_id: pushId } } }));
}

/** The year's push windows (SCHED-1), what was pushed and what was left behind in the caller's subtree. */
export function fetchPushWindows(year: number): Promise<YearWindows> {
  return call(applicationApi.GET("/api/v1/push-windows/{year}", { params: { path: { year } } }));
}

/** The file name a batch's Excel export is saved under: "2026卫生系列中级花名册.xlsx". */
export function batchFileName(batch: Pick<PushBatch, "year" | "series" | "level">, kind: "roster" | "overview"): string {
  const title = kind === "roster" ? "花名册" : "综合情况一览表";
  return `${batch.year}${batch.series}${nameOf(TITLE_LEVEL_NAMES, batch.level)}${title}.xlsx`;
}

/** Downloads a batch's 花名册 or 综合情况一览表 (Excel) with the session's token. */
export function downloadBatch(batch: Pick<PushBatch, "year" | "series" | "level"> & { id: string }, kind: "roster" | "overview"): Promise<void> {
  const file = kind === "roster" ? "roster.xlsx" : "overview.xlsx";
  return downloadFile(`/api/v1/pushes/${encodeURIComponent(batch.id)}/${file}`, batchFileName(batch, kind));
}

// -- Excel/CSV imports with their progress ------------------------------------------------------------------

export type ImportPhase = "idle" | "uploading" | "processing" | "done" | "failed";

/** An import's progress: the upload's percent while the file goes up, then "processing" until the
 * service answers (it parses and records the file), then done or failed with the service's problem. */
export function useImportProgress() {
  const state = reactive({ phase: "idle" as ImportPhase, percent: 0, problem: null as unknown });

  /** The upload's progress (uploadWithProgress's callback); at 100 % the server is at work. */
  function uploading(percent: number): void {
    state.percent = Math.max(0, Math.min(100, percent));
    state.phase = state.percent >= 100 ? "processing" : "uploading";
  }

  /** Runs one import; whether it succeeded (its problem kept in `problem` otherwise). */
  async function run(send: () => Promise<unknown>): Promise<boolean> {
    Object.assign(state, { phase: "uploading", percent: 0, problem: null });
    try {
      await send();
      Object.assign(state, { phase: "done", percent: 100 });
      return true;
    } catch (e) {
      Object.assign(state, { phase: "failed", problem: e });
      return false;
    }
  }

  return Object.assign(state, { uploading, run });
}

export type ImportProgressState = ReturnType<typeof useImportProgress>;

// -- the integrity file (科研诚信档案, NAT-8 / POL-ER-3) ----------------------------------------------------

export type IntegrityEntry = components["schemas"]["IntegrityEntryView"];

export interface IntegrityFilters {
  person: string;
  inForce: boolean;
}

/** One page of the integrity file the caller may read (the offices' reviewers and the auditors). */
export async function fetchIntegrityFile(filters: IntegrityFilters, window: PageQuery): Promise<Page<IntegrityEntry>> {
  const query = { person: filters.person.trim() || undefined, in_force: filters.inForce, limit: window.limit, offset: window.offset };
  const body = await call(applicationApi.GET("/api/v1/integrity-file", { params: { query } }));
  return { items: body.items, total: body.total };
}

// -- the calendar year's edit (PUT /api/v1/calendar/years/{year}) ----------------------------------------------

/** The body of a year's holiday calendar, sorted and without repeats; or the Chinese reason it cannot be
 * published: a day outside the year, a day both a holiday and a working weekend, a working "weekend" on a
 * weekday. */
export function calendarYearBody(
  year: number,
  holidays: readonly string[],
  workingWeekends: readonly string[],
): { holidays: string[]; working_weekends: string[] } | string {
  const clean = (days: readonly string[]) => [...new Set(days)].sort();
  const body = { holidays: clean(holidays), working_weekends: clean(workingWeekends) };
  const outside = [...body.holidays, ...body.working_weekends].find((d) => !d.startsWith(`${year}-`));
  if (outside) return `${outside} 不在 ${year} 年度内。`;
  const both = body.holidays.find((d) => body.working_weekends.includes(d));
  if (both) return `${both} 不能既放假又调休上班。`;
  const weekday = body.working_weekends.find((d) => {
    const day = new Date(`${d}T00:00:00Z`).getUTCDay();
    return day !== 0 && day !== 6;
  });
  if (weekday) return `${weekday} 不是星期六或星期日，无需调休上班。`;
  return body;
}

// -- the policy registries' single entries ---------------------------------------------------------------------

export type RegistryInfo = components["schemas"]["RegistryInfo"];
type Cells = Record<string, unknown>;

/** An entry's key as application-service addresses it: its key columns' values joined by "|". */
export function registryKey(info: Pick<RegistryInfo, "key">, entry: Cells): string {
  return info.key.map((k) => String(entry[k] ?? "")).join("|");
}

/** The cells a form sends: every column's text trimmed, the empty ones left out (the column's default). */
export function entryCells(info: Pick<RegistryInfo, "columns">, form: Record<string, string>): Record<string, string> {
  const cells: Record<string, string> = {};
  for (const column of info.columns) {
    const text = (form[column] ?? "").trim();
    if (text) cells[column] = text;
  }
  return cells;
}

/** Records a new entry (PUT …/entries), or replaces the one at `key` (PUT …/entries/{key}). */
export async function saveRegistryEntry(name: string, cells: Record<string, string>, key?: string): Promise<Cells> {
  if (key === undefined)
    return call(applicationApi.PUT("/api/v1/registries/{name}/entries", { params: { path: { name } }, body: cells }));
  return call(applicationApi.PUT("/api/v1/registries/{name}/entries/{key}", { params: { path: { name, key } }, body: cells }));
}

export async function removeRegistryEntry(name: string, key: string): Promise<void> {
  await call(applicationApi.DELETE("/api/v1/registries/{name}/entries/{key}", { params: { path: { name, key } } }));
}
