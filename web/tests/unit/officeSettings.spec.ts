import { describe, expect, it, vi } from "vitest";
const api = vi.hoisted(() => ({ GET: vi.fn(), PUT: vi.fn(), DELETE: vi.fn() }));
const org = vi.hoisted(() => ({ PUT: vi.fn() }));
vi.mock("@/api/client", async (original) => ({
  ...(await original<typeof import("@/api/client")>()),
  applicationApi: api,
  orgApi: org,
}));

import {
  calendarYearBody,
  entryCells,
  fetchIntegrityFile,
  registryKey,
  removeRegistryEntry,
  saveRegistryEntry,
} from "@/stores/office";
import { changeStaffStatus } from "@/stores/org";

const ok = (data: unknown, status = 200) => ({ data, response: new Response(null, { status }) });

describe("the calendar year's edit", () => {
  it("sends the days sorted and once each", () => {
    expect(calendarYearBody(2027, ["2027-10-02", "2027-10-01", "2027-10-01"], ["2027-09-26"])).toEqual({
      holidays: ["2027-10-01", "2027-10-02"],
      working_weekends: ["2027-09-26"],
    });
  });

  it("refuses a day of another year, a day both off and on, and a working weekday", () => {
    expect(calendarYearBody(2027, ["2026-12-31"], [])).toBe("2026-12-31 不在 2027 年度内。");
    expect(calendarYearBody(2027, ["2027-09-26"], ["2027-09-26"])).toBe("2027-09-26 不能既放假又调休上班。");
    expect(calendarYearBody(2027, [], ["2027-09-27"])).toBe("2027-09-27 不是星期六或星期日，无需调休上班。");
  });
});

describe("a registry's single entries", () => {
  const info = { key: ["cn_number", "year"], columns: ["cn_number", "year", "title", "level"] };

  it("addresses an entry by its key columns joined by |, and sends only the cells filled in", () => {
    expect(registryKey(info, { cn_number: "CN62-1105/R", year: 2026, title: "x" })).toBe("CN62-1105/R|2026");
    expect(entryCells(info, { cn_number: " CN62-1105/R ", year: "2026", title: "", level: "  " })).toEqual({
      cn_number: "CN62-1105/R",
      year: "2026",
    });
  });

  it("records a new entry, replaces one at its key and removes one", async () => {
    api.PUT.mockResolvedValue(ok({ cn_number: "CN62-1105/R" }));
    await saveRegistryEntry("journals", { cn_number: "CN62-1105/R" });
    expect(api.PUT).toHaveBeenLastCalledWith("/api/v1/registries/{name}/entries", {
      params: { path: { name: "journals" } },
      body: { cn_number: "CN62-1105/R" },
    });
    await saveRegistryEntry("journals", { title: "甘肃医药" }, "CN62-1105/R");
    expect(api.PUT).toHaveBeenLastCalledWith("/api/v1/registries/{name}/entries/{key}", {
      params: { path: { name: "journals", key: "CN62-1105/R" } },
      body: { title: "甘肃医药" },
    });
    api.DELETE.mockResolvedValue(ok(undefined, 204));
    await removeRegistryEntry("journals", "CN62-1105/R");
    expect(api.DELETE).toHaveBeenLastCalledWith("/api/v1/registries/{name}/entries/{key}", {
      params: { path: { name: "journals", key: "CN62-1105/R" } },
    });
  });

  it("throws the cell's refusal naming its column", async () => {
    const detail = "期刊名录：“年度”应为整数。";
    api.PUT.mockResolvedValueOnce({ error: { code: "registry_cell_invalid", detail, field: "year" }, response: new Response(null, { status: 422 }) });
    await expect(saveRegistryEntry("journals", { year: "x" })).rejects.toMatchObject({ status: 422, field: "year", detail });
  });
});

describe("the integrity file and the staff status", () => {
  it("pages the integrity file on the server with its filters", async () => {
    api.GET.mockResolvedValueOnce(ok({ items: [{ entry_id: "e1" }], total: 31 }));
    expect(await fetchIntegrityFile({ person: " 620802 ", inForce: true }, { limit: 10, offset: 30 })).toEqual({
      items: [{ entry_id: "e1" }],
      total: 31,
    });
    expect(api.GET).toHaveBeenLastCalledWith("/api/v1/integrity-file", {
      params: { query: { person: "620802", in_force: true, limit: 10, offset: 30 } },
    });
  });

  it("corrects an applicant's staff status with the reason and the idempotency key", async () => {
    org.PUT.mockResolvedValueOnce(ok({ account_id: "a1", on_staff: false, changed: true }));
    expect(await changeStaffStatus("a1", false, " 人事档案为证 ", "k1")).toBe(true);
    expect(org.PUT).toHaveBeenLastCalledWith("/api/v1/accounts/applicants/{account_id}/staff-status", {
      params: { path: { account_id: "a1" }, header: { "Idempotency-Key": "k1" } },
      body: { on_staff: false, reason: "人事档案为证" },
    });
  });
});
