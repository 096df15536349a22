import { nameOf } from "@/domain/vocabulary";
import { createPinia, setActivePinia } from "pinia";
import { beforeEach, describe, expect, it, vi } from "vitest";
const get = vi.hoisted(() => vi.fn());
vi.mock("@/api/client", async (original) => ({ ...(await original<typeof import("@/api/client")>()), orgApi: { GET: get } }));

import { displayNameProblem, idCardProblem, normaliseIdCard } from "@/components/org/idCard";
import { placementAllowed, placementChoices, KIND_NAMES, useOrgStore, type ChildKind } from "@/stores/org";

const countyOffice: ChildKind = {
  kind: "title_office",
  name_zh: "职改办",
  rule: "ORG-1",
  allowed: true,
  explanation: "可以创建职改办（ORG-1）：层级为县区级，行政区划为崆峒区或泾川县。",
  placements: [
    { level: "county", level_zh: "县区级", division_code: "620802", division_name: "崆峒区", registration_level: null },
    { level: "county", level_zh: "县区级", division_code: "620821", division_name: "泾川县", registration_level: null },
  ],
};

describe("ID numbers and names checked as they are typed", () => {
  it("accepts a valid number, full-width digits and a lower-case x", () => {
    expect(idCardProblem("11010519491231002X")).toBeNull();
    expect(idCardProblem("11010519491231002x")).toBeNull();
    expect(normaliseIdCard("１１０１０５19491231002x")).toBe("11010519491231002X");
  });

  it("says in Chinese what is wrong with an invalid one", () => {
    expect(idCardProblem("")).toBe("请输入身份证号码");
    expect(idCardProblem("1101051949123100")).toContain("18 位");
    expect(idCardProblem("110105194913310021")).toBe("身份证号码中的出生日期不正确");
    expect(idCardProblem("110105194912310021")).toBe("身份证号码末位校验码不正确，请核对");
  });

  it("wants a name of 2 to 30 characters without markup", () => {
    expect(displayNameProblem("李")).toBe("姓名应为 2 至 30 个字");
    expect(displayNameProblem("李<明>")).toBe("姓名不能含有特殊字符");
    expect(displayNameProblem(" 李明 ")).toBeNull();
  });
});

describe("the creation form's choices come from org-service's placements", () => {
  it("offers the levels and divisions a kind may take, and nothing else", () => {
    const choices = placementChoices(countyOffice);
    expect(choices.levels).toEqual([{ value: "county", label: "县区级" }]);
    expect(choices.divisions.map((d) => d.value)).toEqual(["620802", "620821"]);
    expect(choices.registrationLevels).toEqual([]);
    expect(placementAllowed(countyOffice, "county", "620821", null)).toBe(true);
    expect(placementAllowed(countyOffice, "city", "620800", null)).toBe(false);
    expect(placementChoices(undefined).levels).toEqual([]);
  });

  it("names codes in Chinese and never leaves a cell empty", () => {
    expect(nameOf(KIND_NAMES, "private_enterprise")).toBe("民营企业");
    expect(nameOf(KIND_NAMES, "something_new")).toBe("something_new");
    expect(nameOf(KIND_NAMES, null)).toBe("—");
  });
});

describe("the organisation store", () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    get.mockReset();
  });

  it("asks org-service once per node what it may create, again when told to", async () => {
    const answer = { org_id: "o1", creatable_here: true, kinds: [countyOffice] };
    get.mockImplementation(async (path: string, init: { params: { path: { org_id: string } } }) => {
      expect(path).toBe("/api/v1/orgs/{org_id}/allowed-children");
      expect(init.params.path.org_id).toBe("o1");
      return { data: answer, response: new Response(null, { status: 200 }) };
    });
    const store = useOrgStore();
    expect((await store.allowedChildren("o1")).kinds[0].kind).toBe("title_office");
    await store.allowedChildren("o1");
    expect(get).toHaveBeenCalledTimes(1);
    await store.allowedChildren("o1", true);
    expect(get).toHaveBeenCalledTimes(2);
  });

  it("throws org-service's refusal with its Chinese detail", async () => {
    const detail = "当前账号没有执行此操作所需的角色（system_admin）。";
    get.mockResolvedValue({ error: { code: "role_required", detail }, response: new Response(null, { status: 403 }) });
    await expect(useOrgStore().allowedChildren("o2")).rejects.toMatchObject({ status: 403, code: "role_required", detail });
  });
});
