// RFC 9457 problem+json, as every service answers a refusal: a stable code for the program, a Chinese
// `detail` for the person, the field at fault and, when a rule refused it, the rule's ID.

export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  code?: string;
  detail?: string;
  field?: string;
  rule?: string;
  errors?: { field: string; code?: string; message: string }[];
  [extra: string]: unknown;
}

export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly field?: string;
  readonly rule?: string;
  readonly errors: { field: string; message: string }[];
  readonly body: ProblemBody;

  constructor(status: number, body: ProblemBody) {
    const detail = body.detail || body.title || fallbackMessage(status);
    super(detail);
    this.name = "ApiProblem";
    this.status = status;
    this.code = body.code ?? `http_${status}`;
    this.detail = detail;
    this.field = body.field ? lastSegment(body.field) : undefined;
    this.rule = typeof body.rule === "string" ? body.rule : undefined;
    this.errors = (body.errors ?? []).map((e) => ({ field: lastSegment(e.field), message: e.message }));
    this.body = body;
  }

  /** The message shown to a person: the detail, with the rule that refused it. */
  get message_zh(): string {
    return this.rule ? `${this.detail}（${this.rule}）` : this.detail;
  }

  static from(status: number, error: unknown): ApiProblem {
    if (error && typeof error === "object") return new ApiProblem(status, error as ProblemBody);
    return new ApiProblem(status, { detail: typeof error === "string" && error ? error : fallbackMessage(status) });
  }
}

/** "body.papers.0.title" → "title": the form field a problem names. */
function lastSegment(field: string): string {
  const parts = field.split(".").filter((p) => !/^\d+$/.test(p) && p !== "body" && p !== "query" && p !== "path");
  return parts.length ? parts[parts.length - 1] : field;
}

export function fallbackMessage(status: number): string {
  if (status === 0) return "无法连接服务器，请检查网络后重试。";
  if (status === 401) return "登录已失效，请重新登录。";
  if (status === 403) return "您没有执行此操作的权限。";
  if (status === 404) return "要找的内容不存在。";
  if (status === 409) return "内容已被他人修改，请刷新后重试。";
  if (status === 413) return "提交的内容过大。";
  if (status === 429) return "操作过于频繁，请稍后再试。";
  if (status >= 500) return "服务器暂时无法处理，请稍后重试。";
  return "请求未能完成。";
}
