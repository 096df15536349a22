// The committee secretaries', experts' and the public's pages: the Chinese names of review-service's
// codes, the paged lists of committees and sessions, and the public verification of a document.
import { nameOf, TITLE_LEVEL_NAMES } from "@/domain/vocabulary";
import { call, reviewApi } from "@/api/client";
import { downloadFile } from "@/api/files";
import { ApiProblem } from "@/api/problem";
import type { components } from "@/api/generated/review-service";
import type { Page, PageQuery } from "@/composables/usePagedList";

type Schemas = components["schemas"];
export type CommitteeView = Schemas["CommitteeView"];
export type SessionSummary = Schemas["SessionSummary"];
export type SessionView = Schemas["SessionView"];
export type VerifiedDocument = Schemas["VerifiedDocument"];
export type PoolExpert = Schemas["PoolExpertView"];
export type DocumentView = Schemas["DocumentView"];
export type Level = "junior" | "intermediate" | "deputy_senior" | "senior";
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

export interface CommitteeFilters {
  series?: string;
  level?: Level | "";
}

/** A page of the committees organised in the caller's subtree, filtered. */
export function fetchCommittees(filters: CommitteeFilters, { limit, offset }: PageQuery): Promise<Page<CommitteeView>> {
  return call(
    reviewApi.GET("/api/v1/committees", {
      params: { query: { series: filters.series?.trim() || undefined, level: filters.level || undefined, offset, limit } },
    }),
  );
}

export interface PoolFilters {
  series?: string;
  level?: Level | "";
  specialty?: string;
  status?: "running" | "upcoming" | "";
  expiring_within_days?: number | null;
}

/** A page of the office's expert pool (NAT-6), expiring soonest first, filtered on the server. */
export function fetchPool(filters: PoolFilters, { limit, offset }: PageQuery): Promise<Page<PoolExpert>> {
  return call(
    reviewApi.GET("/api/v1/expert-pool", {
      params: {
        query: {
          series: filters.series?.trim() || undefined,
          level: filters.level || undefined,
          specialty: filters.specialty?.trim() || undefined,
          status: filters.status || undefined,
          expiring_within_days: filters.expiring_within_days ?? undefined,
          offset,
          limit,
        },
      },
    }),
  );
}

export interface DocumentFilters {
  application_id?: string;
  keyword?: string;
  status?: "valid" | "revoked" | "";
}

/** A page of the documents the caller may read (their own; an office its subtree's), filtered on the server. */
export function fetchDocuments(filters: DocumentFilters, { limit, offset }: PageQuery): Promise<Page<DocumentView>> {
  return call(
    reviewApi.GET("/api/v1/documents", {
      params: {
        query: {
          application_id: filters.application_id?.trim() || undefined,
          keyword: filters.keyword?.trim() || undefined,
          status: filters.status || undefined,
          offset,
          limit,
        },
      },
    }),
  );
}

export type ReviewRequest = Schemas["ReviewRequestView"];
export type OfficeBlindReview = Schemas["OfficeBlindReviewView"];
export type BlindReviewStatus = "drawing" | "stalled" | "in_review" | "concluded" | "misconduct_confirmed" | "misconduct_dismissed";

/** A page of the review requests (复查, NAT-11) addressed to the office, pending or answered when asked. */
export function fetchReviewRequests(
  filters: { status?: "pending" | "answered" | "" },
  { limit, offset }: PageQuery,
): Promise<Page<ReviewRequest>> {
  return call(reviewApi.GET("/api/v1/review-requests", { params: { query: { status: filters.status || undefined, offset, limit } } }));
}

/** A page of the city office's blind reviews (POL-ER-1), of a status when asked. */
export async function fetchBlindReviews(
  filters: { status?: BlindReviewStatus | "" },
  { limit, offset }: PageQuery,
): Promise<Page<OfficeBlindReview>> {
  return call(reviewApi.GET("/api/v1/blind-reviews", { params: { query: { status: filters.status || undefined, offset, limit } } }));
}

/** The certificate PDF of a document (NAT-10), saved under its number. */
export function downloadCertificate(document: { document_id: string; number: string }): Promise<void> {
  return downloadFile(`/api/v1/documents/${encodeURIComponent(document.document_id)}/certificate.pdf`, `${document.number}.pdf`);
}

/** A complaint's attachment n (1–3), saved under its file name. */
export function downloadComplaintAttachment(complaintId: string, attachment: { n: number; filename: string }): Promise<void> {
  return downloadFile(`/api/v1/complaints/${encodeURIComponent(complaintId)}/attachments/${attachment.n}`, attachment.filename);
}

/** The display names of pool experts (NAT-4: only offices read the pool), at most 100 asked at once. */
export async function fetchExpertNames(accountIds: readonly string[]): Promise<Record<string, string>> {
  const ids = [...new Set(accountIds)].slice(0, 100);
  if (ids.length === 0) return {};
  const page = await call(reviewApi.GET("/api/v1/expert-pool", { params: { query: { account_id: ids, limit: 100 } } }));
  return Object.fromEntries(page.items.map((e) => [e.account_id, e.display_name]));
}
