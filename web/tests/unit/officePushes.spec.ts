import { describe, expect, it, vi } from "vitest";
const get = vi.hoisted(() => vi.fn());
vi.mock("@/api/client", async (original) => ({ ...(await original<typeof import("@/api/client")>()), applicationApi: { GET: get } }));

import { batchFileName, fetchFiling, fetchPushBatches, fetchPushWindows, useImportProgress } from "@/stores/office";

const ok = (data: unknown) => ({ data, response: new Response(null, { status: 200 }) });

describe("the push batches' list", () => {
  it("asks the server for one page with the filters set, and answers its rows and total", async () => {
    const batch = { id: "p1", year: 2026, series: "卫生系列", level: "intermediate", application_count: 3 };
    get.mockResolvedValueOnce(ok({ items: [batch], total: 41, limit: 20, offset: 20 }));
    const page = await fetchPushBatches({ year: 2026, series: " 卫生系列 ", level: "" }, { limit: 20, offset: 20 });
    expect(page).toEqual({ items: [batch], total: 41 });
    expect(get).toHaveBeenLastCalledWith("/api/v1/pushes", {
      params: { query: { year: 2026, series: "卫生系列", level: undefined, limit: 20, offset: 20 } },
    });
  });

  it("leaves out the filters not set", async () => {
    get.mockResolvedValueOnce(ok({ items: [], total: 0, limit: 10, offset: 0 }));
    await fetchPushBatches({ year: null, series: "", level: "senior" }, { limit: 10, offset: 0 });
    expect(get.mock.lastCall?.[1].params.query).toEqual({ year: undefined, series: undefined, level: "senior", limit: 10, offset: 0 });
  });

  it("throws the service's refusal with its Chinese detail", async () => {
    const detail = "当前账号未关联单位，无权查看推送批次。";
    get.mockResolvedValueOnce({ error: { code: "outside_scope", detail }, response: new Response(null, { status: 403 }) });
    await expect(fetchPushBatches({ year: 2026, series: "", level: "" }, { limit: 20, offset: 0 })).rejects.toMatchObject({
      status: 403,
      code: "outside_scope",
      detail,
    });
  });

  it("reads a batch's filing and a year's push windows by their paths", async () => {
    get.mockResolvedValueOnce(ok({ push_id: "p1", status: "done" }));
    expect(await fetchFiling("p1")).toMatchObject({ status: "done" });
    expect(get).toHaveBeenLastCalledWith("/api/v1/filings/{push_id}", { params: { path: { push_id: "p1" } } });
    get.mockResolvedValueOnce(ok({ year: 2026, windows: [] }));
    expect(await fetchPushWindows(2026)).toEqual({ year: 2026, windows: [] });
    expect(get).toHaveBeenLastCalledWith("/api/v1/push-windows/{year}", { params: { path: { year: 2026 } } });
  });

  it("names a batch's Excel files by year, series, level and what they hold", () => {
    const batch = { year: 2026, series: "技工院校教师系列", level: "intermediate" };
    expect(batchFileName(batch, "roster")).toBe("2026技工院校教师系列中级花名册.xlsx");
    expect(batchFileName(batch, "overview")).toBe("2026技工院校教师系列中级综合情况一览表.xlsx");
  });
});

describe("an import's progress", () => {
  it("goes from the upload's percent to the server at work, then done", async () => {
    const progress = useImportProgress();
    expect(progress.phase).toBe("idle");
    let finish: (value: unknown) => void = () => {};
    const running = progress.run(() => new Promise((resolve) => (finish = resolve)));
    expect(progress.phase).toBe("uploading");
    progress.uploading(40);
    expect([progress.phase, progress.percent]).toEqual(["uploading", 40]);
    progress.uploading(100);
    expect(progress.phase).toBe("processing");
    finish({ imported: 3 });
    expect(await running).toBe(true);
    expect([progress.phase, progress.percent, progress.problem]).toEqual(["done", 100, null]);
  });

  it("keeps the service's problem when the import is refused, and starts afresh on the next", async () => {
    const progress = useImportProgress();
    const refusal = new Error("第 3 行：系列不能为空。");
    expect(await progress.run(() => Promise.reject(refusal))).toBe(false);
    expect([progress.phase, progress.problem]).toEqual(["failed", refusal]);
    progress.uploading(150);
    expect(progress.percent).toBe(100);
    expect(await progress.run(() => Promise.resolve())).toBe(true);
    expect(progress.problem).toBeNull();
  });
});
