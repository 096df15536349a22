import { createPinia, setActivePinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
const get = vi.hoisted(() => vi.fn());
const post = vi.hoisted(() => vi.fn());
vi.mock("@/api/client", async (original) => ({
  ...(await original<typeof import("@/api/client")>()),
  orgApi: { GET: get, POST: post },
}));

import {
  UNREAD_MIN_GAP_MS,
  UNREAD_POLL_MS,
  listExternalClients,
  publicKeyProblem,
  registerExternalClient,
  revokeExternalClient,
  useUnreadStore,
} from "@/stores/org";

const ok = (data: unknown) => ({ data, response: new Response(null, { status: 200 }) });
const inbox = (unread: number) => ok({ items: [], total: 0, unread, limit: 1, offset: 0 });

describe("the inbox's unread badge", () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    get.mockReset();
  });
  afterEach(() => vi.useRealTimers());

  it("asks for one unread item and keeps the count the inbox answers", async () => {
    get.mockResolvedValueOnce(inbox(7));
    const store = useUnreadStore();
    await store.refresh(true);
    expect(store.count).toBe(7);
    expect(get).toHaveBeenCalledWith("/api/v1/inbox", { params: { query: { unread: true, limit: 1 } } });
  });

  it("asks at most once per few seconds, unless forced, and once at a time", async () => {
    get.mockResolvedValue(inbox(2));
    const store = useUnreadStore();
    await store.refresh(false, 100_000);
    await store.refresh(false, 100_000 + UNREAD_MIN_GAP_MS - 1);
    expect(get).toHaveBeenCalledTimes(1);
    await store.refresh(false, 100_000 + UNREAD_MIN_GAP_MS);
    expect(get).toHaveBeenCalledTimes(2);
    const first = store.refresh(true);
    const second = store.refresh(true);
    await Promise.all([first, second]);
    expect(get).toHaveBeenCalledTimes(3);
  });

  it("keeps the last number when the inbox cannot be reached, never throwing", async () => {
    const store = useUnreadStore();
    store.set(4);
    get.mockRejectedValueOnce(new TypeError("network"));
    await expect(store.refresh(true)).resolves.toBeUndefined();
    get.mockResolvedValueOnce({ error: { code: "x", detail: "服务暂不可用" }, response: new Response(null, { status: 503 }) });
    await store.refresh(true);
    expect(store.count).toBe(4);
  });

  it("polls every minute once started, and forgets the count when stopped", async () => {
    vi.useFakeTimers();
    get.mockResolvedValue(inbox(3));
    const store = useUnreadStore();
    store.start();
    store.start(); // one timer only
    await vi.advanceTimersByTimeAsync(0);
    expect(get).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(UNREAD_POLL_MS);
    expect(get).toHaveBeenCalledTimes(2);
    expect(store.count).toBe(3);
    store.stop();
    expect(store.count).toBe(0);
    await vi.advanceTimersByTimeAsync(UNREAD_POLL_MS * 2);
    expect(get).toHaveBeenCalledTimes(2);
  });
});

describe("the external clients of the provincial bodies", () => {
  beforeEach(() => {
    get.mockReset();
    post.mockReset();
  });

  it("accepts only a PEM public key, never a private key", () => {
    const pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----";
    expect(publicKeyProblem(` ${pem}\n`)).toBe("");
    expect(publicKeyProblem("")).toBe("请粘贴外部系统的公钥。");
    expect(publicKeyProblem(pem.replaceAll("PUBLIC", "PRIVATE"))).toContain("切勿粘贴私钥");
    expect(publicKeyProblem(pem.replace("MCow", "M".repeat(1000)))).toBe("公钥过长（至多 1000 个字符）。");
  });

  it("registers with the idempotency key and the trimmed body, and revokes with the reason", async () => {
    const client = { client_id: "c1", name: "省职称系统", scopes: ["filings:read"], revoked: false };
    post.mockResolvedValueOnce(ok(client));
    const body = { name: " 省职称系统 ", public_key_pem: " pem \n", scopes: ["filings:read"] };
    expect(await registerExternalClient(body, "k1")).toEqual(client);
    expect(post).toHaveBeenLastCalledWith("/api/v1/external-clients", {
      body: { name: "省职称系统", public_key_pem: "pem", scopes: ["filings:read"] },
      params: { header: { "Idempotency-Key": "k1" } },
    });
    post.mockResolvedValueOnce(ok({ ...client, revoked: true }));
    expect((await revokeExternalClient("c1", " 系统下线 ", "k2")).revoked).toBe(true);
    expect(post).toHaveBeenLastCalledWith("/api/v1/external-clients/{client_id}/revoke", {
      params: { path: { client_id: "c1" }, header: { "Idempotency-Key": "k2" } },
      body: { reason: "系统下线" },
    });
  });

  it("throws org-service's refusal of a body that is not provincial", async () => {
    const detail = "只有省级部门（省人社厅、省教育厅、省卫健委等）可以登记外部系统客户端。";
    get.mockResolvedValueOnce({ error: { code: "not_provincial_body", detail }, response: new Response(null, { status: 403 }) });
    await expect(listExternalClients()).rejects.toMatchObject({ status: 403, code: "not_provincial_body", detail });
  });
});
