import { describe, expect, it } from "vitest";
import { ApiProblem } from "@/api/problem";

describe("ApiProblem", () => {
  it("keeps the code for the program and the Chinese detail, the field and the rule for the person", () => {
    const p = ApiProblem.from(422, {
      code: "paper_too_long",
      detail: "论文正文过长。",
      field: "body.papers.0.text",
      rule: "POL-PA-4",
    });
    expect(p.status).toBe(422);
    expect(p.code).toBe("paper_too_long");
    expect(p.field).toBe("text");
    expect(p.message_zh).toBe("论文正文过长。（POL-PA-4）");
  });

  it("answers a network failure and a body that is not a problem in Chinese", () => {
    expect(ApiProblem.from(0, undefined).detail).toBe("无法连接服务器，请检查网络后重试。");
    expect(ApiProblem.from(409, "").code).toBe("http_409");
    expect(ApiProblem.from(503, null).detail).toContain("服务器暂时无法处理");
  });
});
