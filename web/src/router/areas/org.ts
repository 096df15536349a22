// Organisations, accounts and roles, the registration of applicants and experts, the inbox and the
// audit log (org-service's pages, and the business audit of every service).
import type { Area } from "../meta";

const GROUP = "组织与账号";

export const area: Area = {
  routes: [
    {
      path: "/org/tree",
      name: "org-tree",
      component: () => import("@/views/org/OrgTreeView.vue"),
      meta: { title: "组织机构", roles: ["system_admin", "title_office_review", "auditor"], menu: { group: GROUP, order: 10 } },
    },
    {
      path: "/org/accounts",
      name: "org-accounts",
      component: () => import("@/views/org/AccountsView.vue"),
      meta: { title: "账号与角色", roles: ["system_admin", "auditor"], menu: { group: GROUP, order: 11 } },
    },
    {
      path: "/org/applicants",
      name: "org-applicants",
      component: () => import("@/views/org/ApplicantsView.vue"),
      meta: { title: "申报人登记", roles: ["applicant_management"], menu: { group: GROUP, order: 12 } },
    },
    {
      path: "/org/experts",
      name: "org-experts",
      component: () => import("@/views/org/ExpertsView.vue"),
      meta: { title: "专家登记", roles: ["committee_secretary"], menu: { group: GROUP, order: 13 } },
    },
    {
      path: "/org/external-clients",
      name: "org-external-clients",
      component: () => import("@/views/org/ExternalClientsView.vue"),
      meta: { title: "外部系统接口", roles: ["system_admin"], menu: { group: GROUP, order: 14 } },
    },
    {
      path: "/inbox",
      name: "inbox",
      component: () => import("@/views/org/InboxView.vue"),
      meta: { title: "消息", mobile: true, menu: { group: "消息与记录", order: 900 } },
    },
    {
      path: "/audit",
      name: "audit",
      component: () => import("@/views/org/AuditView.vue"),
      meta: { title: "操作记录", roles: ["auditor"], menu: { group: "消息与记录", order: 901 } },
    },
  ],
};
