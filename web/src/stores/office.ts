// The review chain's and the title offices' pages: the Chinese names of statuses, steps, levels and
// tracks, the review queue's filters and page (served by application-service, paged on the server),
// and the small computations the pages share (downloads, push groups, the push months against today).
import { defineStore } from "pinia";
import { reactive, ref } from "vue";
import { applicationApi, call } from "@/api/client";
import type { components } from "@/api/generated/application-service";

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

export interface QueueFilters {
  mine: boolean;
  status: string;
  series: string;
  level: string;
  unit: string;
  year: number | null;
}

/** The review queue: its filters, its page and what the server answered for them. */
export const useReviewQueueStore = defineStore("office-review-queue", () => {
  const filters = reactive<QueueFilters>({ mine: true, status: "", series: "", level: "", unit: "", year: null });
  const page = ref(1);
  const pageSize = ref(20);
  const items = ref<QueueItem[]>([]);
  const total = ref(0);
  const loading = ref(false);

  function query() {
    return {
      mine: filters.mine,
      status: filters.status || undefined,
      series: filters.series || undefined,
      level: filters.level || undefined,
      unit: filters.unit || undefined,
      year: filters.year ?? undefined,
      limit: pageSize.value,
      offset: (page.value - 1) * pageSize.value,
    };
  }

  async function load(): Promise<void> {
    loading.value = true;
    try {
      const body = await call(applicationApi.GET("/api/v1/applications/review-queue", { params: { query: query() } }));
      items.value = body.items;
      total.value = body.total;
    } finally {
      loading.value = false;
    }
  }

  function reset(): void {
    Object.assign(filters, { mine: true, status: "", series: "", level: "", unit: "", year: null });
    page.value = 1;
  }

  return { filters, page, pageSize, items, total, loading, query, load, reset };
});
