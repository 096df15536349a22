import { beforeEach, describe, expect, it, vi } from "vitest";
import { ApiProblem } from "@/api/problem";

const GET = vi.fn();
const POST = vi.fn();
vi.mock("@/api/client", () => ({
  reviewApi: { GET: (...args: unknown[]) => GET(...args), POST: (...args: unknown[]) => POST(...args) },
  commandKey: () => "key-1",
  call: async (request: Promise<{ data?: unknown; error?: unknown; response: { ok: boolean; status: number } }>) => {
    const result = await request;
    if (result.error !== undefined || !result.response.ok) throw ApiProblem.from(result.response.status, result.error);
    return result.data;
  },
}));

const {
  declareConflict,
  defenseZh,
  fetchSessionPanels,
  formPanel,
  panelStage,
  recordBody,
  recordDefense,
  recordMissing,
  recordOpinion,
  scheduleDefense,
  scoreRows,
} = await import("@/stores/committeePanels");
type Candidate = Parameters<typeof panelStage>[0];

function answer(status: number, body: unknown) {
  const ok = status < 400;
  return Promise.resolve({ data: ok ? body : undefined, error: ok ? undefined : body, response: { ok, status } });
}

const CANDIDATE: Candidate = {
  application_id: "a1",
  applicant_name: "张三",
  defense_required: true,
  defense_replaced_by: null,
  starts_at: null,
  ends_at: null,
  join_url: null,
  defense_recorded: false,
  attended: null,
  opinion: null,
  summary: null,
  judge_ids: ["e2", "e3"],
};

beforeEach(() => {
  GET.mockReset();
  POST.mockReset();
});

describe("a candidate's way through their panel (NAT-9, POL-VD-1)", () => {
  it("is scheduled, recorded, then given the panel's opinion; without a defense only the opinion", () => {
    expect(panelStage(CANDIDATE)).toBe("to_schedule");
    expect(defenseZh(CANDIDATE)).toBe("未安排");
    const scheduled = { ...CANDIDATE, starts_at: "2026-12-01T01:00:00Z", join_url: "http://v/r1" };
    expect(panelStage(scheduled)).toBe("to_record");
    expect(defenseZh(scheduled)).toBe("已安排");
    const recorded = { ...scheduled, defense_recorded: true, attended: false };
    expect(panelStage(recorded)).toBe("to_opine");
    expect(defenseZh(recorded)).toBe("未参加");
    expect(panelStage({ ...recorded, opinion: "recommend" })).toBe("done");
    const replaced = { ...CANDIDATE, defense_required: false, defense_replaced_by: "POL-FL-3" };
    expect(panelStage(replaced)).toBe("to_opine");
    expect(defenseZh(replaced)).toBe("无需答辩（POL-FL-3）");
  });

  it("records every judge's score and opinion when the candidate attended, none when absent (NAT-4: judges only)", () => {
    const rows = scoreRows(CANDIDATE);
    expect(rows.map((r) => r.expert_id)).toEqual(["e2", "e3"]);
    expect(recordMissing(true, rows)).toBe("还有 2 位专家的评分或意见未填写");
    rows[0] = { ...rows[0]!, score: 0, opinion: "思路清晰" };
    rows[1] = { ...rows[1]!, score: 90, opinion: " 表达流畅 " };
    expect(recordMissing(true, rows)).toBe("");
    expect(recordMissing(false, [])).toBe("");
    expect(recordMissing(true, [])).toBe("没有可评分的专家");
    expect(recordBody(true, " 录像-1 ", rows)).toEqual({
      attended: true,
      recording_ref: "录像-1",
      scores: [
        { expert_id: "e2", score: 0, opinion: "思路清晰" },
        { expert_id: "e3", score: 90, opinion: "表达流畅" },
      ],
    });
    expect(recordBody(false, "", rows)).toEqual({ attended: false, recording_ref: null, scores: [] });
  });
});

describe("the panels' calls", () => {
  it("reads a session's panels and forms, schedules, records and opines with the right bodies", async () => {
    GET.mockReturnValueOnce(answer(200, [{ panel_id: "p1", candidates: [CANDIDATE] }]));
    expect(await fetchSessionPanels("s1")).toHaveLength(1);
    expect(GET).toHaveBeenLastCalledWith("/api/v1/sessions/{session_id}/panels", { params: { path: { session_id: "s1" } } });

    POST.mockReturnValue(answer(201, {}));
    await formPanel("s1", { specialty: "临床医学", size: 3, application_ids: [], meeting_on: "" });
    expect(POST).toHaveBeenLastCalledWith("/api/v1/sessions/{session_id}/panels", {
      params: { path: { session_id: "s1" }, header: { "Idempotency-Key": "key-1" } },
      body: { specialty: "临床医学", size: 3, application_ids: null, meeting_on: null },
    });
    await scheduleDefense("p1", "a1", "2026-12-01T09:00:00+08:00", 30);
    expect(POST).toHaveBeenLastCalledWith("/api/v1/panels/{panel_id}/defenses", {
      params: { path: { panel_id: "p1" }, header: { "Idempotency-Key": "key-1" } },
      body: { application_id: "a1", starts_at: "2026-12-01T09:00:00+08:00", minutes: 30, mode: "video" },
    });
    await recordDefense("p1", "a1", { attended: false, recording_ref: null, scores: [] });
    expect(POST).toHaveBeenLastCalledWith("/api/v1/panels/{panel_id}/defenses/{application_id}/record", {
      params: { path: { panel_id: "p1", application_id: "a1" } },
      body: { attended: false, recording_ref: null, scores: [] },
    });
    await recordOpinion("p1", "a1", "not_recommend", " 业绩不足 ");
    expect(POST).toHaveBeenLastCalledWith("/api/v1/panels/{panel_id}/opinions", {
      params: { path: { panel_id: "p1" } },
      body: { application_id: "a1", opinion: "not_recommend", summary: "业绩不足" },
    });
  });

  it("declares a conflict as the expert (no expert named) or for them (NAT-4)", async () => {
    POST.mockReturnValue(answer(201, { declared: true }));
    await declareConflict("s1", "a1", " 师生关系 ");
    expect(POST).toHaveBeenLastCalledWith("/api/v1/sessions/{session_id}/conflicts", {
      params: { path: { session_id: "s1" } },
      body: { application_id: "a1", reason: "师生关系", expert_id: null },
    });
    await declareConflict("s1", "a1", "同事", "e2");
    expect(POST).toHaveBeenLastCalledWith("/api/v1/sessions/{session_id}/conflicts", {
      params: { path: { session_id: "s1" } },
      body: { application_id: "a1", reason: "同事", expert_id: "e2" },
    });
  });

  it("throws the refusal with its rule (the panel not done, POL-VD-1)", async () => {
    POST.mockReturnValueOnce(
      answer(409, { code: "defense_not_recorded", detail: "答辩尚未登记。", rule: "POL-VD-1" }),
    );
    await expect(recordOpinion("p1", "a1", "recommend", "同意")).rejects.toMatchObject({ status: 409, code: "defense_not_recorded" });
  });
});
