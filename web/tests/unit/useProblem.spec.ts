import { describe, expect, it } from "vitest";
import { ApiProblem } from "@/api/problem";
import { useProblem } from "@/composables/useProblem";

describe("useProblem", () => {
  it("puts a refusal next to the field it names, and one naming no known field above the form", async () => {
    const form = useProblem(["username", "password"]);
    const ok = await form.attempt(async () => {
      throw ApiProblem.from(401, { code: "invalid_credentials", detail: "用户名或密码不正确。", field: "password" });
    });
    expect(ok).toBe(false);
    expect(form.fieldErrors.password).toBe("用户名或密码不正确。");
    expect(form.formError.value).toBe("");

    await form.attempt(async () => {
      throw ApiProblem.from(429, { code: "login_throttled", detail: "尝试次数过多，请稍后再试。" });
    });
    expect(form.fieldErrors.password).toBeUndefined();
    expect(form.formError.value).toBe("尝试次数过多，请稍后再试。");
  });

  it("shows validation errors of several fields at once", async () => {
    const form = useProblem();
    form.show(
      ApiProblem.from(422, {
        code: "invalid_input",
        detail: "缺少必填项",
        field: "body.name",
        errors: [
          { field: "body.name", message: "缺少必填项" },
          { field: "body.kind", message: "取值不在允许范围内" },
        ],
      }),
    );
    expect(form.fieldErrors.kind).toBe("取值不在允许范围内");
    expect(form.fieldErrors.name).toBe("缺少必填项");
  });
});
