// The title offices' pages: pushes (the year's schedule and push windows, batches, 花名册 and
// 综合情况一览表), the provincial filing, the dashboard, and the office settings that exist as APIs.
import type { Area } from "../meta";

const OFFICES = ["title_office_review", "push", "auditor"] as const;
const PUSHERS = ["title_office_review", "push"] as const;

export const area: Area = {
  routes: [
    {
      path: "office/pushes",
      name: "office-pushes",
      component: () => import("@/views/office/PushView.vue"),
      meta: { title: "推送评委会", roles: PUSHERS, menu: { group: "职改办", order: 400 } },
    },
    {
      path: "office/filings",
      name: "office-filings",
      component: () => import("@/views/office/FilingsView.vue"),
      meta: { title: "省级预审备案", roles: PUSHERS, menu: { group: "职改办", order: 410 } },
    },
    {
      path: "office/dashboard",
      name: "office-dashboard",
      component: () => import("@/views/office/DashboardView.vue"),
      meta: { title: "统计", roles: OFFICES, menu: { group: "职改办", order: 420 } },
    },
  ],
};
