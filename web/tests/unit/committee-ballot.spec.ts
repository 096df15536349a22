// @vitest-environment jsdom
// The expert's ballot page (NAT-2): the form lists only their candidates; once cast it shows only
// "已投票" — not the votes, which the page forgets — and a cast form is never offered again.
import { describe, expect, it, vi } from "vitest";
import { flushPromises, mount } from "@vue/test-utils";
import { createMemoryHistory, createRouter } from "vue-router";
import { ApiProblem } from "@/api/problem";

const state = { voted: false };
const GET = vi.fn(async (path: string) => path.endsWith("/panel-opinions") ? ({
  data: [{ panel_id: "p1", application_id: "a1", applicant_name: "李明", defense_required: true, defense_replaced_by: null, attended: true, opinion: "recommend", summary: "答辩表现良好" }],
  response: { ok: true, status: 200 },
}) : ({
  data: {
    session_id: "s1",
    application_ids: ["a1", "a2"],
    candidates: [
      { application_id: "a1", applicant_name: "李明", specialty: "临床医学", annotations: [], remarks: [] },
      { application_id: "a2", applicant_name: "王红", specialty: null, annotations: ["破格"], remarks: [] },
    ],
    voted: state.voted,
  },
  response: { ok: true, status: 200 },
}));
const POST = vi.fn(async () => {
  state.voted = true;
  return { data: { session_id: "s1", accepted: true }, response: { ok: true, status: 201 } };
});
vi.mock("@/api/client", () => ({
  reviewApi: { GET: (...a: unknown[]) => GET(...(a as [string])), POST: (...a: unknown[]) => POST(...(a as [])) },
  call: async (request: Promise<{ data?: unknown; error?: unknown; response: { ok: boolean; status: number } }>) => {
    const result = await request;
    if (result.error !== undefined || !result.response.ok) throw ApiProblem.from(result.response.status, result.error);
    return result.data;
  },
}));
vi.mock("element-plus", async (original) => ({
  ...(await original<typeof import("element-plus")>()),
  ElMessageBox: { confirm: vi.fn(async () => "confirm") },
}));

// Element Plus's style sheets, which Node cannot import in a unit test (the vite config does not
// inline element-plus for Vitest): nothing to test in them.
vi.mock("element-plus/es/components/card/style/css", () => ({}));
vi.mock("element-plus/es/components/button/style/css", () => ({}));
vi.mock("element-plus/es/components/alert/style/css", () => ({}));
vi.mock("element-plus/es/components/result/style/css", () => ({}));
vi.mock("element-plus/es/components/empty/style/css", () => ({}));
vi.mock("element-plus/es/components/table/style/css", () => ({}));
vi.mock("element-plus/es/components/table-column/style/css", () => ({}));
vi.mock("element-plus/es/components/radio-group/style/css", () => ({}));
vi.mock("element-plus/es/components/radio/style/css", () => ({}));
vi.mock("element-plus/es/components/loading/style/css", () => ({}));
vi.mock("element-plus/es/components/base/style/css", () => ({}));

const BallotView = (await import("@/views/expert/BallotView.vue")).default;

async function mounted() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: "/expert/sessions/:sessionId/ballot", name: "expert-ballot", component: BallotView },
      { path: "/expert/sessions", name: "expert-sessions", component: { template: "<div />" } },
    ],
  });
  await router.push("/expert/sessions/s1/ballot");
  await router.isReady();
  const wrapper = mount(BallotView, { global: { plugins: [router] }, attachTo: document.body });
  await flushPromises();
  return wrapper;
}

describe("the expert's ballot page", () => {
  it("casts the expert's own votes, then shows only that they voted", async () => {
    state.voted = false;
    const wrapper = await mounted();
    expect(wrapper.text()).toContain("李明");
    expect(wrapper.text()).toContain("王红");
    expect(wrapper.text()).toContain("推荐：答辩表现良好"); // NAT-9: the panel's opinion before the vote
    const cast = wrapper.get('[data-test="cast-ballot"]');
    expect(cast.attributes("disabled")).toBeDefined(); // not before every candidate has a vote

    const radios = wrapper.findAll('input[type="radio"]');
    await radios[0].setValue(true); // a1: 同意
    await radios[4].setValue(true); // a2: 不同意
    await flushPromises();
    expect(wrapper.get('[data-test="cast-ballot"]').attributes("disabled")).toBeUndefined();
    await wrapper.get('[data-test="cast-ballot"]').trigger("click");
    await flushPromises();

    expect(POST).toHaveBeenCalledWith("/api/v1/sessions/{session_id}/ballots", {
      params: { path: { session_id: "s1" } },
      body: { votes: { a1: "yes", a2: "no" } },
    });
    expect(wrapper.find('[data-test="ballot-voted"]').exists()).toBe(true);
    expect(wrapper.text()).toContain("已投票");
    expect(wrapper.find('[data-test="ballot-form"]').exists()).toBe(false);
    expect(wrapper.text()).not.toContain("同意");
    expect(wrapper.text()).not.toContain("李明");
    wrapper.unmount();
  });

  it("opened again after voting, offers no form at all", async () => {
    state.voted = true;
    const wrapper = await mounted();
    expect(wrapper.find('[data-test="ballot-voted"]').exists()).toBe(true);
    expect(wrapper.find('[data-test="cast-ballot"]').exists()).toBe(false);
    expect(wrapper.findAll('input[type="radio"]')).toHaveLength(0);
    expect(GET).not.toHaveBeenLastCalledWith("/api/v1/sessions/{session_id}/panel-opinions", expect.anything());
    wrapper.unmount();
  });
});
