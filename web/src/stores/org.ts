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

// -- external clients of the provincial bodies (OAuth2 client credentials, RFC 7523 signed assertions) -------

export type ExternalClient = components["schemas"]["ExternalClientOut"];

/** What a provincial system may be granted (org-service's SCOPES, domain/external_client.py). */
export const EXTERNAL_SCOPE_NAMES: Record<string, string> = {
  "filings:read": "读取本市报省职改办审核的申报及审核结果",
  "results:read": "读取评审委员会评审结果",
  "documents:read": "读取已印发的职称资格文件（备案）",
  "documents:verify": "批量核验职称资格文件文号",
};

/** An Ed25519 public key in PEM, as org-service accepts it; the Chinese problem, or "" when it looks right. */
export function publicKeyProblem(pem: string): string {
  const text = pem.trim();
  if (!text) return "请粘贴外部系统的公钥。";
  if (!/^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----$/.test(text))
    return "公钥须为 PEM 格式（-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----），切勿粘贴私钥。";
  if (text.length > 1000) return "公钥过长（至多 1000 个字符）。";
  return "";
}

export function listExternalClients(): Promise<ExternalClient[]> {
  return call(orgApi.GET("/api/v1/external-clients"));
}

export function registerExternalClient(
  body: { name: string; public_key_pem: string; scopes: string[] },
  key: string,
): Promise<ExternalClient> {
  const clean = { ...body, name: body.name.trim(), public_key_pem: body.public_key_pem.trim() };
  return call(orgApi.POST("/api/v1/external-clients", { body: clean, params: { header: { "Idempotency-Key": key } } }));
}

export function revokeExternalClient(clientId: string, reason: string, key: string): Promise<ExternalClient> {
  return call(
    orgApi.POST("/api/v1/external-clients/{client_id}/revoke", {
      params: { path: { client_id: clientId }, header: { "Idempotency-Key": key } },
      body: { reason: reason.trim() },
    }),
  );
}

// -- the inbox's unread count (the menu's badge) ------------------------------------------------------------

/** How often the menu asks again (and on every route change, never more than once per `MIN_GAP_MS`). */
export const UNREAD_POLL_MS = 60_000;
export const UNREAD_MIN_GAP_MS = 5_000;

/** The number of unread inbox items, asked of org-service gently: never blocking a page, never more
 * often than every few seconds, its failure only leaving the last number. */
export const useUnreadStore = defineStore("org-unread", () => {
  const count = ref(0);
  let askedAt = 0;
  let pending: Promise<void> | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;

  /** Asks again unless just asked (`force` for after reading an item). */
  function refresh(force = false, now = Date.now()): Promise<void> {
    if (pending) return pending;
    if (!force && now - askedAt < UNREAD_MIN_GAP_MS) return Promise.resolve();
    askedAt = now;
    pending = call(orgApi.GET("/api/v1/inbox", { params: { query: { unread: true, limit: 1 } } }))
      .then((page) => {
        count.value = page.unread;
      })
      .catch(() => undefined)
      .finally(() => {
        pending = null;
      });
    return pending;
  }

  /** What a page that read the inbox learned (its answer carries the unread count). */
  function set(unread: number): void {
    count.value = Math.max(0, unread);
  }

  function start(): void {
    if (timer) return;
    void refresh(true);
    timer = setInterval(() => {
      if (typeof document === "undefined" || !document.hidden) void refresh();
    }, UNREAD_POLL_MS);
  }

  function stop(): void {
    if (timer) clearInterval(timer);
    timer = null;
    count.value = 0;
    askedAt = 0;
  }

  return { count, refresh, set, start, stop };
});

/** Corrects a registered applicant's staff status (在编/编外) with its reason; whether it changed. */
export async function changeStaffStatus(accountId: string, onStaff: boolean, reason: string, key: string): Promise<boolean> {
  const answer = await call(
    orgApi.PUT("/api/v1/accounts/applicants/{account_id}/staff-status", {
      params: { path: { account_id: accountId }, header: { "Idempotency-Key": key } },
      body: { on_staff: onStaff, reason: reason.trim() },
    }),
  );
  return answer.changed;
}
