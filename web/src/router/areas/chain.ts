// The review chain (NAT-7): the queue of what awaits the reviewer, an application with its eligibility
// report beside it (attest the declared facts, approve, return with reasons, the unit's publicity), and
// the print view of its 评审表. The employer's applicant managers read them too: they answer an expert
// recommendation request (POL-ER-1) and upload a paper's external plagiarism report (POL-PA-4) there.
import type { Area } from "../meta";

export const REVIEW_ROLES = ["unit_review", "department_review", "title_office_review"] as const;
const READERS = [...REVIEW_ROLES, "push", "auditor", "applicant_management"] as const;

export const area: Area = {
  routes: [
    {
      path: "review",
      name: "review-queue",
      component: () => import("@/views/chain/ReviewQueueView.vue"),
      meta: { title: "审核队列", roles: READERS, menu: { group: "逐级审核", order: 300 } },
    },
    {
      path: "review/:id",
      name: "review-application",
      component: () => import("@/views/chain/ReviewApplicationView.vue"),
      meta: { title: "审核申报", roles: READERS },
    },
    {
      path: "review/:id/print",
      name: "review-print",
      component: () => import("@/views/chain/ReviewFormPrintView.vue"),
      meta: { title: "打印评审表", roles: READERS },
    },
  ],
};
