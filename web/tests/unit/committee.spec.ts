import { beforeEach, describe, expect, it, vi } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import { ApiProblem } from "@/api/problem";

const GET = vi.fn();
vi.mock("@/api/client", () => ({
  reviewApi: { GET: (...args: unknown[]) => GET(...args) },
  call: async (request: Promise<{ data?: unknown; error?: unknown; response: { ok: boolean; status: number } }>) => {
    const result = await request;
    if (result.error !== undefined || !result.response.ok) throw ApiProblem.from(result.response.status, result.error);
    return result.data;
  },
}));

const {
  ballotBody,
  ballotComplete,
  beijingTime,
  checkNumber,
  levelZh,
  sessionStatusZh,
  fetchSessions,
  fetchCommittees,
  fetchPool,
  fetchDocuments,
  fetchExpertNames,
  verifyNumber,
} = await import("@/stores/committee");
const { attachmentProblem, toBase64 } = await import("@/components/public/attachments");

function answer(status: number, body: unknown) {
  const ok = status < 400;
  return Promise.resolve({ data: ok ? body : undefined, error: ok ? undefined : body, response: { ok, status } });
}

const DOCUMENT = {
  number: "平人社职称〔2026〕ABCD-EFGH-JKMN号",
  valid: true,
  holder: "赵**",
  year: 2026,
  series: "卫生系列",
  level: "中级",
  annotations: [],
  route: "committee",
  route_zh: "评审委员会评审",
  issued_at: "2026-11-30T02:00:00+00:00",
  status: "valid",
};

beforeEach(() => {
  GET.mockReset();
  setActivePinia(createPinia());
});

describe("the Chinese names of review-service's codes", () => {
  it("names every session stage and level in Chinese, and keeps an unknown code", () => {
    for (const stage of ["opened", "voting", "tallied", "publicity", "issuing", "closed", "carried_over"]) {
      expect(sessionStatusZh(stage)).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(levelZh("deputy_senior")).toBe("副高级");
    expect(levelZh("中级")).toBe("中级"); // the server's own Chinese passes through
    expect(levelZh(null)).toBe("—");
    expect(beijingTime("2026-11-30T02:00:00+00:00")).toBe("2026-11-30 10:00");
  });
});

describe("the ballot form (NAT-2)", () => {
  it("is complete only with a vote for every candidate on the form, and sends only those", () => {
    const form = ["a1", "a2"];
    expect(ballotComplete(form, { a1: "yes" })).toBe(false);
    expect(ballotComplete([], {})).toBe(false);
    expect(ballotComplete(form, { a1: "yes", a2: "abstain" })).toBe(true);
    expect(ballotBody(form, { a1: "yes", a2: "no", other: "yes" })).toEqual({ votes: { a1: "yes", a2: "no" } });
  });
});

describe("the public verification (NAT-10)", () => {
  it("asks the API with the number of the QR code's query and shows a valid document", async () => {
    GET.mockReturnValueOnce(answer(200, DOCUMENT));
    const verdict = await verifyNumber(`  ${DOCUMENT.number} `);
    expect(GET).toHaveBeenCalledWith("/api/v1/documents/verify", { params: { query: { number: DOCUMENT.number } } });
    expect(verdict).toEqual({ kind: "valid", document: DOCUMENT });
  });

  it("tells a revoked document, an unknown number, a refusal and a malformed number apart", async () => {
    GET.mockReturnValueOnce(answer(200, { ...DOCUMENT, valid: false, status: "revoked" }));
    expect((await verifyNumber(DOCUMENT.number)).kind).toBe("revoked");
    GET.mockReturnValueOnce(answer(404, { code: "document_not_found", detail: "未找到该职称资格文件。" }));
    expect(await verifyNumber("平人社职称〔2026〕99999号")).toEqual({ kind: "not_found", number: "平人社职称〔2026〕99999号" });
    GET.mockReturnValueOnce(answer(429, { code: "rate_limited", detail: "查验过于频繁，请稍后再试。" }));
    expect(await verifyNumber(DOCUMENT.number)).toEqual({ kind: "refused", message: "查验过于频繁，请稍后再试。" });
    expect(await verifyNumber("abc")).toEqual({ kind: "invalid", message: "证书编号应为 4–64 个字符，请核对" });
    expect(await verifyNumber("  ")).toEqual({ kind: "empty" });
    expect(checkNumber("x".repeat(65))).not.toBeNull();
    expect(GET).toHaveBeenCalledTimes(3); // nothing asked for a malformed or empty number
  });
});

describe("the committee store's paged lists", () => {
  it("pages committees and sessions on the server with the filters", async () => {
    GET.mockReturnValueOnce(answer(200, { items: [{ committee_id: "c1" }], total: 41, offset: 20, limit: 20 }));
    const committees = await fetchCommittees({ series: " 卫生系列 ", level: "" }, { limit: 20, offset: 20 });
    expect(GET).toHaveBeenLastCalledWith("/api/v1/committees", {
      params: { query: { series: "卫生系列", level: undefined, offset: 20, limit: 20 } },
    });
    expect(committees.total).toBe(41);

    GET.mockReturnValueOnce(answer(200, { items: [], total: 0, offset: 0, limit: 10 }));
    await fetchSessions({ year: 2026 }, { limit: 10, offset: 0 });
    expect(GET).toHaveBeenLastCalledWith("/api/v1/sessions", {
      params: { query: { committee_id: undefined, year: 2026, series: undefined, offset: 0, limit: 10 } },
    });
  });

  it("pages the expert pool and the documents with their filters on the server", async () => {
    GET.mockReturnValueOnce(answer(200, { items: [], total: 0, offset: 40, limit: 20 }));
    await fetchPool({ series: "卫生系列", level: "senior", specialty: " ", status: "running", expiring_within_days: 30 }, { limit: 20, offset: 40 });
    expect(GET).toHaveBeenLastCalledWith("/api/v1/expert-pool", {
      params: {
        query: { series: "卫生系列", level: "senior", specialty: undefined, status: "running", expiring_within_days: 30, offset: 40, limit: 20 },
      },
    });
    GET.mockReturnValueOnce(answer(200, { items: [], total: 0, offset: 0, limit: 20 }));
    await fetchDocuments({ application_id: "", keyword: " 张三 ", status: "revoked" }, { limit: 20, offset: 0 });
    expect(GET).toHaveBeenLastCalledWith("/api/v1/documents", {
      params: { query: { application_id: undefined, keyword: "张三", status: "revoked", offset: 0, limit: 20 } },
    });
  });

  it("asks the pool for the names of the experts shown, once each, and nothing for none", async () => {
    expect(await fetchExpertNames([])).toEqual({});
    expect(GET).not.toHaveBeenCalled();
    GET.mockReturnValueOnce(answer(200, { items: [{ account_id: "e1", display_name: "王专家" }], total: 1, offset: 0, limit: 100 }));
    expect(await fetchExpertNames(["e1", "e1", "e2"])).toEqual({ e1: "王专家" });
    expect(GET).toHaveBeenLastCalledWith("/api/v1/expert-pool", { params: { query: { account_id: ["e1", "e2"], limit: 100 } } });
  });

  it("throws a refusal as an ApiProblem with the server's Chinese detail", async () => {
    GET.mockReturnValueOnce(answer(403, { code: "outside_scope", detail: "该事项不属于您所在单位及其下级单位，无权查看或办理。" }));
    await expect(fetchCommittees({}, { limit: 20, offset: 0 })).rejects.toMatchObject({ status: 403, code: "outside_scope" });
  });
});

describe("a public complaint's attachments (POL-PB-1)", () => {
  it("takes at most 3 PDF, JPEG or PNG files of at most 2 MB", () => {
    expect(attachmentProblem("证明.pdf", 1000, 0)).toBeNull();
    expect(attachmentProblem("photo.JPG", 1000, 2)).toBeNull();
    expect(attachmentProblem("a.docx", 1000, 0)).toBe("证明材料只能是 PDF、JPG 或 PNG 文件");
    expect(attachmentProblem("a.png", 2 * 1024 * 1024 + 1, 0)).toBe("每个证明材料不超过 2 MB");
    expect(attachmentProblem("a.png", 10, 3)).toBe("证明材料不超过 3 个");
    expect(toBase64(new TextEncoder().encode("%PDF-1.7"))).toBe("JVBERi0xLjc=");
  });
});
