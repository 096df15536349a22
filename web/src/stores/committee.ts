// The committee secretaries', experts' and the public's pages: the Chinese names of review-service's
// codes, the paged lists of committees and sessions, and the public verification of a document.
import { nameOf, TITLE_LEVEL_NAMES } from "@/domain/vocabulary";
import { defineStore } from "pinia";
import { reactive, ref } from "vue";
import { call, reviewApi } from "@/api/client";
import { ApiProblem } from "@/api/problem";
import type { components } from "@/api/generated/review-service";
import type { Page, PageQuery } from "@/composables/usePagedList";

type Schemas = components["schemas"];
export type CommitteeView = Schemas["CommitteeView"];
export type SessionSummary = Schemas["SessionSummary"];
export type SessionView = Schemas["SessionView"];
export type VerifiedDocument = Schemas["VerifiedDocument"];
export type Vote = "yes" | "no" | "abstain";

export const SESSION_STATUS_ZH: Record<string, string> = {
  opened: "已召开（待登记出席）",
  voting: "投票中",
  tallied: "已计票",
  publicity: "公示中",
  issuing: "公示期满（发文中）",
  closed: "已结束",
  carried_over: "已结转下一年度",
};

export const SESSION_STATUS_TAG: Record<string, "primary" | "success" | "info" | "warning" | "danger"> = {
  opened: "info",
  voting: "warning",
  tallied: "primary",
  publicity: "success",
  issuing: "success",
  closed: "info",
  carried_over: "danger",
};


export const VOTE_ZH: Record<Vote, string> = { yes: "同意", no: "不同意", abstain: "弃权" };

export const OUTCOME_ZH: Record<string, string> = {
  no_problem: "经调查无问题",
  problem_not_affecting: "有问题但不影响取得资格",
  upheld: "投诉属实（不予通过）",
};

export const CHANNEL_ZH: Record<string, string> = { public: "公开投诉", account: "实名账号投诉" };

export function sessionStatusZh(status: string): string {
  return SESSION_STATUS_ZH[status] ?? status;
}

export function levelZh(level: string | null | undefined): string {
  return nameOf(TITLE_LEVEL_NAMES, level);
}

/** "2026-11-30T02:00:00+00:00" → "2026-11-30 10:00" in Beijing time. */
export function beijingTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const local = new Date(at.getTime() + 8 * 3600 * 1000);
  return local.toISOString().slice(0, 16).replace("T", " ");
}

/** NAT-2: a ballot is complete when every candidate on the form has a vote, and only those. */
export function ballotComplete(applicationIds: readonly string[], votes: Record<string, Vote | undefined>): boolean {
  return applicationIds.length > 0 && applicationIds.every((id) => votes[id] !== undefined);
}

/** The body the ballot sends: the votes of the form's candidates only. */
export function ballotBody(applicationIds: readonly string[], votes: Record<string, Vote | undefined>) {
  const chosen: Record<string, Vote> = {};
  for (const id of applicationIds) {
    const vote = votes[id];
    if (vote) chosen[id] = vote;
  }
  return { votes: chosen };
}

// -- the public verification (NAT-10) -----------------------------------------------------------------

export type Verdict =
  | { kind: "empty" }
  | { kind: "invalid"; message: string }
  | { kind: "valid" | "revoked"; document: VerifiedDocument }
  | { kind: "not_found"; number: string }
  | { kind: "refused"; message: string };

/** The numbers the API accepts (4–64 characters); anything else is refused before asking. */
export function checkNumber(raw: string): string | null {
  const number = raw.trim();
  if (!number) return "请输入证书编号";
  if (number.length < 4 || number.length > 64) return "证书编号应为 4–64 个字符，请核对";
  return null;
}

export async function verifyNumber(raw: string): Promise<Verdict> {
  const number = raw.trim();
  if (!number) return { kind: "empty" };
  const invalid = checkNumber(number);
  if (invalid) return { kind: "invalid", message: invalid };
  try {
    const document = await call(reviewApi.GET("/api/v1/documents/verify", { params: { query: { number } } }));
    return { kind: document.valid ? "valid" : "revoked", document };
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 404) return { kind: "not_found", number };
    if (error instanceof ApiProblem) return { kind: "refused", message: error.message_zh };
    throw error;
  }
}

// -- the paged lists ---------------------------------------------------------------------------------

export interface SessionFilters {
  committee_id?: string;
  year?: number;
  series?: string;
}

/** A page of the sessions the caller may see (the office's subtree; an expert's own draws), filtered. */
export function fetchSessions(filters: SessionFilters, { limit, offset }: PageQuery): Promise<Page<SessionSummary>> {
  return call(
    reviewApi.GET("/api/v1/sessions", {
      params: {
        query: {
          committee_id: filters.committee_id || undefined,
          year: filters.year || undefined,
          series: filters.series || undefined,
          offset,
          limit,
        },
      },
    }),
  );
}

export const useCommitteeStore = defineStore("committee", () => {
  const committees = ref<CommitteeView[]>([]);
  const committeeTotal = ref(0);
  const committeePage = reactive({ page: 1, size: 20 });
  const committeeFilters = reactive<{ series?: string; level?: string }>({});

  const loading = ref(false);

  async function loadCommittees(): Promise<void> {
    loading.value = true;
    try {
      const level = committeeFilters.level as "junior" | "intermediate" | "deputy_senior" | "senior" | undefined;
      const page = await call(
        reviewApi.GET("/api/v1/committees", {
          params: {
            query: {
              series: committeeFilters.series || undefined,
              level: level || undefined,
              offset: (committeePage.page - 1) * committeePage.size,
              limit: committeePage.size,
            },
          },
        }),
      );
      committees.value = page.items;
      committeeTotal.value = page.total;
    } finally {
      loading.value = false;
    }
  }

  return {
    committees,
    committeeTotal,
    committeePage,
    committeeFilters,
    loading,
    loadCommittees,
  };
});
