// One typed client per service, generated from its OpenAPI document (scripts/gen-api.mjs): the bearer
// token on every call, one renewal and retry on a 401, and every refusal thrown as an ApiProblem.
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { paths as ApplicationPaths } from "./generated/application-service";
import type { paths as OrgPaths } from "./generated/org-service";
import type { paths as PlagiarismPaths } from "./generated/plagiarism-service";
import type { paths as ReviewPaths } from "./generated/review-service";
import { ApiProblem } from "./problem";
import { loadSession, refreshSession } from "./session";

const retried = new WeakMap<Request, Request>();

const bearer: Middleware = {
  onRequest({ request }) {
    const session = loadSession();
    if (session && !request.headers.has("Authorization")) {
      request.headers.set("Authorization", `Bearer ${session.accessToken}`);
    }
    if (!request.url.includes("/api/v1/auth/")) retried.set(request, request.clone());
    return request;
  },
  async onResponse({ request, response }) {
    const copy = retried.get(request);
    if (response.status !== 401 || !copy) return response;
    const renewed = await refreshSession();
    if (!renewed) return response;
    copy.headers.set("Authorization", `Bearer ${renewed.accessToken}`);
    return fetch(copy);
  },
};

function client<Paths extends {}>(): Client<Paths> {
  const c = createClient<Paths>({ baseUrl: "" });
  c.use(bearer);
  return c;
}

export const orgApi = client<OrgPaths>();
export const applicationApi = client<ApplicationPaths>();
export const reviewApi = client<ReviewPaths>();
export const plagiarismApi = client<PlagiarismPaths>();

/** The data of a call, or its refusal thrown as an ApiProblem (a network failure too, as status 0). */
export async function call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await request;
  } catch {
    throw ApiProblem.from(0, undefined);
  }
  if (result.error !== undefined || !result.response.ok) throw ApiProblem.from(result.response.status, result.error);
  return result.data as T;
}

/** A fresh key for a command that must act once even if it is sent again (Idempotency-Key). */
export function commandKey(): string {
  return crypto.randomUUID();
}
