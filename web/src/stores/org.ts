// The organisation and account pages: the Chinese names of org-service's codes, the organisation tree
// (children loaded when a node opens) and what ORG-1/ORG-2 let a node create, as org-service answers it.
import { nameOf, TITLE_LEVEL_NAMES } from "@/domain/vocabulary";
import { defineStore } from "pinia";
import { ref } from "vue";
import { call, orgApi } from "@/api/client";
import type { components } from "@/api/generated/org-service";

export type Organization = components["schemas"]["OrganizationOut"];
export type AllowedChildren = components["schemas"]["AllowedChildrenOut"];
export type ChildKind = components["schemas"]["ChildKindOut"];
export type AccountRow = components["schemas"]["AccountRowOut"];
export type AccountKind = AccountRow["kind"];

export const KIND_NAMES: Record<Organization["kind"], string> = {
  title_office: "职改办",
  hr_department: "人力资源和社会保障部门",
  government_department: "政府部门",
  state_unit: "国有企事业单位",
  hr_market: "人力资源市场",
  private_technical_school: "民办技工院校",
  private_school: "民办中小学校",
  private_hospital: "民营医院",
  private_enterprise: "民营企业",
};

export const LEVEL_NAMES: Record<Organization["level"], string> = { province: "省级", city: "市级", county: "县区级" };

export const FUNCTION_NAMES: Record<NonNullable<Organization["function"]>, string> = {
  education: "教育",
  health: "卫健",
  other: "其他",
};

export const UNIT_TYPE_NAMES: Record<NonNullable<Organization["unit_type"]>, string> = {
  research_institute: "科研院所",
  school: "学校",
  hospital: "医院",
  enterprise: "企业",
  other: "其他",
};

export const ACCOUNT_KIND_NAMES: Record<AccountKind, string> = {
  system_admin: "系统管理员",
  business_admin: "业务管理员",
  applicant: "申报人",
  expert: "评审专家",
};

/** The title levels an expert may hold (an expert reviews at intermediate level or above). */
export const EXPERT_TITLE_LEVEL_NAMES: Record<string, string> = Object.fromEntries(
  ["intermediate", "deputy_senior", "senior"].map((code) => [code, TITLE_LEVEL_NAMES[code]]),
);


/** The level / division / registration-level choices a kind offers here (from its placements). */
export function placementChoices(kind: ChildKind | undefined) {
  const levels = new Map<string, string>();
  const divisions = new Map<string, string>();
  const registrations = new Set<string>();
  for (const p of kind?.placements ?? []) {
    levels.set(p.level, p.level_zh);
    divisions.set(p.division_code, p.division_name);
    if (p.registration_level) registrations.add(p.registration_level);
  }
  return {
    levels: [...levels].map(([value, label]) => ({ value, label })),
    divisions: [...divisions].map(([value, label]) => ({ value, label: `${label}（${value}）` })),
    registrationLevels: [...registrations].map((value) => ({ value, label: nameOf(LEVEL_NAMES, value) })),
  };
}

/** Whether a proposed level/division/registration level is one ORG-1/ORG-2 allow for this kind. */
export function placementAllowed(
  kind: ChildKind | undefined,
  level: string,
  divisionCode: string,
  registrationLevel: string | null,
): boolean {
  return (kind?.placements ?? []).some(
    (p) => p.level === level && p.division_code === divisionCode && (p.registration_level ?? null) === (registrationLevel || null),
  );
}

export const useOrgStore = defineStore("org", () => {
  const root = ref<Organization | null>(null);
  const allowed = ref<Record<string, AllowedChildren>>({});

  async function loadRoot(orgId: string): Promise<Organization> {
    root.value = await call(orgApi.GET("/api/v1/orgs/{org_id}", { params: { path: { org_id: orgId } } }));
    return root.value;
  }

  async function children(orgId: string): Promise<Organization[]> {
    return call(orgApi.GET("/api/v1/orgs/{org_id}/children", { params: { path: { org_id: orgId } } }));
  }

  async function search(name: string): Promise<Organization[]> {
    return call(orgApi.GET("/api/v1/orgs", { params: { query: { name, limit: 50 } } }));
  }

  /** What ORG-1/ORG-2 let this node create, and why (org-service's own answer, cached per node). */
  async function allowedChildren(orgId: string, fresh = false): Promise<AllowedChildren> {
    if (!fresh && allowed.value[orgId]) return allowed.value[orgId];
    const answer = await call(
      orgApi.GET("/api/v1/orgs/{org_id}/allowed-children", { params: { path: { org_id: orgId } } }),
    );
    allowed.value = { ...allowed.value, [orgId]: answer };
    return answer;
  }

  return { root, allowed, loadRoot, children, search, allowedChildren };
});

export const INBOX_CATEGORY_NAMES: Record<string, string> = {
  push_window: "推送时间",
  provincial_filing: "省级报送",
  provincial_verdict: "省职改办审核意见",
  review_year: "评审年度",
  session_overdue: "评审会议逾期",
  application_returned: "退回修改",
  results: "评审结果",
  document: "资格文件",
  complaint: "投诉处理",
  review_request: "复查",
  defense: "答辩",
};

/** The outcome of a command in a service's business audit. */
export const AUDIT_OUTCOME_NAMES: Record<string, string> = {
  done: "已执行",
  replayed: "重复提交（未重复执行）",
  refused: "被拒绝",
  failed: "失败",
};

export const AUDIT_SOURCES = [
  { value: "org", label: "组织机构与账号" },
  { value: "application", label: "职称申报" },
  { value: "review", label: "评审" },
  { value: "plagiarism", label: "论文查重" },
] as const;
export type AuditSource = (typeof AUDIT_SOURCES)[number]["value"];

/** What org-service's audit log records: its events and the logins it records without one. */
export const ORG_AUDIT_EVENT_NAMES: Record<string, string> = {
  OrganizationCreated: "创建组织机构",
  OrganizationDeactivated: "停用组织机构",
  AdminAccountCreated: "生成系统管理员账号",
  BusinessAdminCreated: "创建业务管理员",
  RolesAssigned: "分配角色",
  ApplicantRegistered: "登记申报人",
  ApplicantStaffStatusChanged: "更正申报人在编状态",
  ExpertRegistered: "登记评审专家",
  PasswordChanged: "修改密码",
  PasswordReset: "重置密码",
  AccountDeactivated: "停用账号",
  AccountUnlocked: "解除登录锁定",
  ExternalClientRegistered: "登记外部系统接口",
  ExternalClientRevoked: "吊销外部系统接口",
  LoginSucceeded: "登录成功",
  LoginFailed: "登录失败（密码错误）",
  LoginLocked: "连续登录失败，账号临时锁定",
  LoginRefusedLocked: "锁定期间尝试登录",
  TokenRefreshed: "续期登录",
  RefreshTokenReused: "刷新令牌被重复使用（已全部吊销）",
};

export const STREAM_TYPE_NAMES: Record<string, string> = {
  organization: "组织机构",
  account: "账号",
  external_client: "外部系统接口",
};
