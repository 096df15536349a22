// The applicant's pages (role applicant): their applications, the form, the application's papers,
// attachments, eligibility and plagiarism reports, its timeline and the printable 申报表. All fit a phone.
import type { Area } from "../meta";

const roles = ["applicant"] as const;
const group = "我的申报";

export const area: Area = {
  routes: [
    {
      path: "applicant/applications",
      name: "applicant-applications",
      component: () => import("@/views/applicant/MyApplicationsView.vue"),
      meta: { title: "我的申报", roles, mobile: true, menu: { group, order: 100 } },
    },
    {
      path: "applicant/applications/new",
      name: "applicant-application-new",
      component: () => import("@/views/applicant/ApplicationFormView.vue"),
      meta: { title: "新建申报", roles, mobile: true, menu: { group, order: 101 } },
    },
    {
      path: "applicant/applications/:id",
      name: "applicant-application",
      component: () => import("@/views/applicant/ApplicationDetailView.vue"),
      meta: { title: "申报详情", roles, mobile: true },
    },
    {
      path: "applicant/applications/:id/edit",
      name: "applicant-application-edit",
      component: () => import("@/views/applicant/ApplicationFormView.vue"),
      meta: { title: "修改申报", roles, mobile: true },
    },
    {
      path: "applicant/applications/:id/print",
      name: "applicant-application-print",
      component: () => import("@/views/applicant/ApplicationPrintView.vue"),
      meta: { title: "打印申报表", roles, mobile: true },
    },
  ],
};
