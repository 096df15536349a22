// The review panels (评议组, NAT-9) of a session and their online video defenses (POL-VD-1) as the
// organising office runs them: reading the panels, forming one, scheduling and recording a defense, the
// panel's opinion; and the conflicts of interest an expert (or the secretary for them) declares (NAT-4).
import { call, commandKey, reviewApi } from "@/api/client";
import type { components } from "@/api/generated/review-service";

type Schemas = components["schemas"];
export type SessionPanel = Schemas["SessionPanelView"];
export type PanelCandidate = Schemas["PanelCandidateView"];
export type Opinion = "recommend" | "not_recommend";

export const OPINION_ZH: Record<Opinion, string> = { recommend: "推荐", not_recommend: "不推荐" };

/** Where a candidate stands in their panel: the next thing the office does, in Chinese. */
export type PanelStage = "to_schedule" | "to_record" | "to_opine" | "done";

export const PANEL_STAGE_ZH: Record<PanelStage, string> = {
  to_schedule: "待安排答辩",
  to_record: "待登记答辩",
  to_opine: "待评议",
  done: "已评议",
};

export function panelStage(c: PanelCandidate): PanelStage {
  if (c.opinion) return "done";
  if (c.defense_required && !c.starts_at) return "to_schedule";
  if (c.defense_required && !c.defense_recorded) return "to_record";
  return "to_opine";
}

/** The defense column's text: none needed (and why), not yet attended, attended or absent. */
export function defenseZh(c: PanelCandidate): string {
  if (!c.defense_required) return c.defense_replaced_by ? `无需答辩（${c.defense_replaced_by}）` : "无需答辩";
  if (!c.defense_recorded) return c.starts_at ? "已安排" : "未安排";
  return c.attended ? "已参加" : "未参加";
}

export interface ScoreRow {
  expert_id: string;
  score?: number;
  opinion: string;
}

/** The rows of the record form: one per judge of the candidate (recused experts are not judges, NAT-4). */
export function scoreRows(c: PanelCandidate): ScoreRow[] {
  return (c.judge_ids ?? []).map((expert_id) => ({ expert_id, score: undefined, opinion: "" }));
}

/** What is still missing in the record form ("" when complete): an attended defense needs every judge's
 * score (0–100) and opinion; an absent candidate none. */
export function recordMissing(attended: boolean, rows: readonly ScoreRow[]): string {
  if (!attended) return "";
  if (rows.length === 0) return "没有可评分的专家";
  const incomplete = rows.filter((r) => r.score === undefined || r.score === null || !r.opinion.trim());
  return incomplete.length ? `还有 ${incomplete.length} 位专家的评分或意见未填写` : "";
}

/** The body of POST .../record: the judges' scores only when the candidate attended. */
export function recordBody(attended: boolean, recordingRef: string, rows: readonly ScoreRow[]) {
  return {
    attended,
    recording_ref: recordingRef.trim() || null,
    scores: attended
      ? rows.map((r) => ({ expert_id: r.expert_id, score: Number(r.score), opinion: r.opinion.trim() }))
      : [],
  };
}

export function fetchSessionPanels(sessionId: string): Promise<SessionPanel[]> {
  return call(reviewApi.GET("/api/v1/sessions/{session_id}/panels", { params: { path: { session_id: sessionId } } }));
}

export interface PanelForm {
  specialty: string;
  size: number;
  application_ids: string[];
  meeting_on?: string | null;
}

export function formPanel(sessionId: string, form: PanelForm) {
  return call(
    reviewApi.POST("/api/v1/sessions/{session_id}/panels", {
      params: { path: { session_id: sessionId }, header: { "Idempotency-Key": commandKey() } } as never,
      body: {
        specialty: form.specialty,
        size: form.size,
        application_ids: form.application_ids.length ? form.application_ids : null,
        meeting_on: form.meeting_on || null,
      },
    }),
  );
}

export function scheduleDefense(panelId: string, applicationId: string, startsAt: string, minutes: number) {
  return call(
    reviewApi.POST("/api/v1/panels/{panel_id}/defenses", {
      params: { path: { panel_id: panelId }, header: { "Idempotency-Key": commandKey() } } as never,
      body: { application_id: applicationId, starts_at: startsAt, minutes, mode: "video" },
    }),
  );
}

export function recordDefense(panelId: string, applicationId: string, body: ReturnType<typeof recordBody>) {
  return call(
    reviewApi.POST("/api/v1/panels/{panel_id}/defenses/{application_id}/record", {
      params: { path: { panel_id: panelId, application_id: applicationId } },
      body,
    }),
  );
}

export function recordOpinion(panelId: string, applicationId: string, opinion: Opinion, summary: string) {
  return call(
    reviewApi.POST("/api/v1/panels/{panel_id}/opinions", {
      params: { path: { panel_id: panelId } },
      body: { application_id: applicationId, opinion, summary: summary.trim() },
    }),
  );
}

/** NAT-4: a conflict of interest with a candidate — the drawn expert's own (`expertId` left out) or the
 * secretary's on an expert's behalf. */
export function declareConflict(sessionId: string, applicationId: string, reason: string, expertId?: string) {
  return call(
    reviewApi.POST("/api/v1/sessions/{session_id}/conflicts", {
      params: { path: { session_id: sessionId } },
      body: { application_id: applicationId, reason: reason.trim(), expert_id: expertId ?? null },
    }),
  );
}
