// A list paged on the server, the same on every list page: the rows of the current page, the total, whether
// it is loading, and a refusal shown as useProblem shows it (next to the filter it names). A page keeps its
// filters itself and reads them in `fetchPage`; `search()` goes back to page 1 (a new filter), `load()` keeps
// the page (the pager, a refresh after a command). An answer that arrives after a newer request is dropped.
import { reactive, ref, type Ref } from "vue";
import { useProblem } from "./useProblem";

/** What a paged endpoint answers (the services' `Page` models: items and the total matching). */
export interface Page<T> {
  items: T[];
  total: number;
}

/** The window the page asks for. */
export interface PageQuery {
  limit: number;
  offset: number;
}

export interface PagedListOptions {
  /** Rows per page at first (the pager offers 10, 20, 50, 100). */
  size?: number;
  /** The filter fields a refusal may name (shown next to them); others show above the list. */
  fields?: readonly string[];
}

export function usePagedList<T>(fetchPage: (query: PageQuery) => Promise<Page<T>>, options: PagedListOptions = {}) {
  const rows = ref([]) as Ref<T[]>;
  const total = ref(0);
  const loading = ref(false);
  const pager = reactive({ page: 1, size: options.size ?? 20 });
  const { fieldErrors, formError, problem, clear, show, attempt } = useProblem(options.fields);
  let latest = 0;

  /** The current page again; whether it was answered. */
  async function load(): Promise<boolean> {
    const ticket = ++latest;
    loading.value = true;
    let answer: Page<T> | undefined;
    const ok = await attempt(async () => {
      answer = await fetchPage({ limit: pager.size, offset: (pager.page - 1) * pager.size });
    });
    if (ticket !== latest) return ok;
    rows.value = answer?.items ?? [];
    total.value = answer?.total ?? 0;
    loading.value = false;
    return ok;
  }

  /** The first page, for new filters or a new page size. */
  function search(): Promise<boolean> {
    pager.page = 1;
    return load();
  }

  return reactive({ rows, total, loading, pager, fieldErrors, formError, problem, clear, show, load, search });
}

export type PagedList<T> = ReturnType<typeof usePagedList<T>>;

/** For an endpoint that answers a bare list window without a count: asks for one row more than the page,
 * so the pager knows whether another page follows (its total is what has been seen, plus one if more). */
export function countingAhead<T>(fetchWindow: (query: PageQuery) => Promise<T[]>): (query: PageQuery) => Promise<Page<T>> {
  return async ({ limit, offset }) => {
    const window = await fetchWindow({ limit: limit + 1, offset });
    const more = window.length > limit;
    const items = window.slice(0, limit);
    return { items, total: offset + items.length + (more ? 1 : 0) };
  };
}
