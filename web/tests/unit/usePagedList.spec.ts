import { describe, expect, it } from "vitest";
import { ApiProblem } from "@/api/problem";
import { countingAhead, usePagedList, type Page, type PageQuery } from "@/composables/usePagedList";

describe("usePagedList", () => {
  it("asks for the page's window and shows its rows and total", async () => {
    const asked: PageQuery[] = [];
    const list = usePagedList(async (query) => {
      asked.push(query);
      return { items: [query.offset], total: 45 };
    });
    await list.load();
    expect(list.rows).toEqual([0]);
    expect(list.total).toBe(45);
    list.pager.page = 3;
    await list.load();
    expect(asked.at(-1)).toEqual({ limit: 20, offset: 40 });
    await list.search();
    expect(list.pager.page).toBe(1);
    expect(asked.at(-1)).toEqual({ limit: 20, offset: 0 });
    expect(list.loading).toBe(false);
  });

  it("shows a refusal next to the filter it names and empties the list", async () => {
    let refuse = false;
    const list = usePagedList(
      async () => {
        if (refuse) throw ApiProblem.from(422, { code: "invalid_input", detail: "年度须在1990至2100之间", field: "year" });
        return { items: ["a"], total: 1 };
      },
      { fields: ["year"] },
    );
    await list.load();
    refuse = true;
    expect(await list.search()).toBe(false);
    expect(list.fieldErrors.year).toBe("年度须在1990至2100之间");
    expect(list.rows).toEqual([]);
    expect(list.total).toBe(0);
    refuse = false;
    expect(await list.load()).toBe(true);
    expect(list.fieldErrors.year).toBeUndefined();
  });

  it("drops an answer that arrives after a newer request's", async () => {
    const pending: ((items: string[]) => void)[] = [];
    const list = usePagedList(
      (query) => new Promise<Page<string>>((resolve) => pending.push((items) => resolve({ items, total: query.offset + items.length }))),
    );
    const first = list.load();
    const second = list.load();
    pending[1](["new"]);
    await second;
    pending[0](["old"]);
    await first;
    expect(list.rows).toEqual(["new"]);
  });

  it("counts ahead for an endpoint that answers a window without a total", async () => {
    const rows = Array.from({ length: 25 }, (_, i) => i);
    const fetchPage = countingAhead(async ({ limit, offset }) => rows.slice(offset, offset + limit));
    expect(await fetchPage({ limit: 10, offset: 0 })).toEqual({ items: rows.slice(0, 10), total: 11 });
    expect(await fetchPage({ limit: 10, offset: 20 })).toEqual({ items: rows.slice(20), total: 25 });
  });
});
