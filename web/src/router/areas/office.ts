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
      path: "office/push-batches",
      name: "office-push-batches",
      component: () => import("@/views/office/PushBatchesView.vue"),
      meta: { title: "推送批次", roles: OFFICES, menu: { group: "职改办", order: 405 } },
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
    {
      path: "office/quota-plans",
      name: "office-quota-plans",
      component: () => import("@/views/office/QuotaPlansView.vue"),
      meta: { title: "职称指标", roles: OFFICES, menu: { group: "职改办", order: 430 } },
    },
    {
      path: "office/integrity-file",
      name: "office-integrity-file",
      component: () => import("@/views/office/IntegrityFileView.vue"),
      meta: { title: "科研诚信档案", roles: ["title_office_review", "auditor"], menu: { group: "职改办", order: 435 } },
    },
    {
      path: "office/similarity",
      name: "office-similarity",
      component: () => import("@/views/office/SimilarityView.vue"),
      meta: { title: "查重判定口径", roles: ["title_office_review"], menu: { group: "职改办", order: 440 } },
    },
    {
      path: "office/registries",
      name: "office-registries",
      component: () => import("@/views/office/RegistriesView.vue"),
      meta: { title: "政策名录", roles: OFFICES, menu: { group: "职改办", order: 450 } },
    },
    {
      path: "office/calendar",
      name: "office-calendar",
      component: () => import("@/views/office/CalendarView.vue"),
      meta: { title: "工作日历", roles: OFFICES, menu: { group: "职改办", order: 460 } },
    },
  ],
};
