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

export const STATUS_NAMES: Record<string, string> = {
  draft: "草稿",
  submitted: "待单位审核",
  unit_approved: "单位审核通过",
  department_approved: "主管部门审核通过",
  office_approved: "职改办审核通过",
  returned: "已退回",
  withdrawn: "已撤回",
  awaiting_document: "待发证",
  pushed: "已推送",
  filing_approved: "省级备案通过",
  returned_by_province: "省职改办退回",
  in_committee_review: "评审中",
  in_results_publicity: "结果公示中",
  titled: "评审通过",
  not_passed: "评审未通过",
  eligibility_cancelled: "取消资格",
};

/** el-tag types by status: what waits (warning), what passed (success), what was turned back (danger). */
export function statusTag(status: string): "primary" | "success" | "warning" | "danger" | "info" {
  if (["submitted", "unit_approved", "department_approved", "in_committee_review", "in_results_publicity"].includes(status))
    return "warning";
  if (["office_approved", "pushed", "filing_approved", "titled", "awaiting_document"].includes(status)) return "success";
  if (["returned", "returned_by_province", "not_passed", "eligibility_cancelled"].includes(status)) return "danger";
  return "info";
}

export const STEP_NAMES: Record<string, string> = { unit: "单位审核", department: "主管部门审核", title_office: "职改办审核" };
export const LEVEL_NAMES: Record<string, string> = {
  junior: "初级",
  intermediate: "中级",
  deputy_senior: "副高级",
  senior: "正高级",
};
export const TRACK_NAMES: Record<string, string> = {
  normal: "正常申报",
  grassroots: "基层职称",
  exceptional_single: "破格申报（单项）",
  exceptional_double: "破格申报（双项）",
  skills_bridge: "技能人才贯通",
  farmer: "新型职业农民",
  local_talent_direct: "乡土人才直接认定",
  direct_application: "直接申报",
};
export const OUTCOME_NAMES: Record<string, string> = {
  pass: "符合",
  fail: "不符合",
  pending: "待定",
  not_applicable: "不适用",
  excluded: "不予认定",
  advisory: "提示",
};
export const EVENT_NAMES: Record<string, string> = {
  ApplicationDrafted: "保存草稿",
  ApplicationEdited: "修改申报",
  ApplicationSubmitted: "提交申报",
  ApplicationResubmitted: "重新提交",
  ApplicationWithdrawn: "撤回申报",
  EligibilityAssessed: "资格审查",
  FactsAttested: "单位核实申报事实",
  ApplicationConcludedWithoutCommittee: "无需评委会评审",
  AttachmentAdded: "上传附件",
  ExternalReportUploaded: "上传查重报告",
  PaperCheckRecorded: "论文查重结果",
  PublicityStarted: "单位开始公示",
  UnitApproved: "单位审核通过",
  DepartmentApproved: "主管部门审核通过",
  TitleOfficeApproved: "职改办审核通过",
  ApplicationReturned: "退回",
  ExpertRecommendationRequested: "申请专家推荐",
  ExpertRecommendationConsented: "专家推荐同意",
  ApplicationPushed: "推送评委会",
  ProvincialVerdictRecorded: "省职改办审核结果",
  CommitteeReviewStarted: "评委会评审开始",
  ResultsPublicityStarted: "评审结果公示",
  ApplicationDecided: "评审结果",
  EligibilityCancelled: "取消资格",
};
export const FILING_STATUS_NAMES: Record<string, string> = {
  delivering: "报送中",
  waiting_for_province: "待省职改办审核",
  done: "审核完毕",
};
export const WINDOW_STATUS_NAMES: Record<string, string> = { open: "推送中", closed: "已截止", withdrawn: "已撤销" };

export function nameOf(names: Record<string, string>, code: string | null | undefined): string {
  if (!code) return "—";
  return names[code] ?? code;
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

/** Saves a file the service answered (an Excel export) under `filename`. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
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
