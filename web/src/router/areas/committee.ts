// 评委会: the committee secretaries' and title offices' pages — committees, the expert pool, sessions
// (attendance, closing the vote, results, complaints, documents, the draw), documents and their
// revocation, review requests (复查) and blind reviews.
import type { Area } from "../meta";

const OFFICE = ["committee_secretary", "title_office_review"] as const;
const GROUP = "评审委员会";

export const area: Area = {
  routes: [
    {
      path: "committee/committees",
      name: "committee-committees",
      component: () => import("@/views/committee/CommitteesView.vue"),
      meta: { title: "评审委员会", roles: OFFICE, menu: { group: GROUP, order: 500 } },
    },
    {
      path: "committee/sessions",
      name: "committee-sessions",
      component: () => import("@/views/committee/SessionsView.vue"),
      meta: { title: "评审会议", roles: OFFICE, menu: { group: GROUP, order: 501 } },
    },
    {
      path: "committee/sessions/:sessionId",
      name: "committee-session",
      component: () => import("@/views/committee/SessionDetailView.vue"),
      meta: { title: "评审会议详情", roles: OFFICE },
    },
    {
      path: "committee/pool",
      name: "committee-pool",
      component: () => import("@/views/committee/PoolView.vue"),
      meta: { title: "专家库", roles: OFFICE, menu: { group: GROUP, order: 502 } },
    },
    {
      path: "committee/documents",
      name: "committee-documents",
      component: () => import("@/views/committee/DocumentsView.vue"),
      meta: { title: "职称资格文件", roles: OFFICE, menu: { group: GROUP, order: 503 } },
    },
    {
      path: "committee/review-requests",
      name: "committee-review-requests",
      component: () => import("@/views/committee/ReviewRequestsView.vue"),
      meta: { title: "复查申请", roles: OFFICE, menu: { group: GROUP, order: 504 } },
    },
    {
      path: "committee/blind-reviews",
      name: "committee-blind-reviews",
      component: () => import("@/views/committee/BlindReviewsView.vue"),
      meta: { title: "专家举荐盲审", roles: ["title_office_review"], menu: { group: GROUP, order: 505 } },
    },
    {
      path: "committee/year-report",
      name: "committee-year-report",
      component: () => import("@/views/committee/YearReportView.vue"),
      meta: { title: "评审年度报告", roles: OFFICE, menu: { group: GROUP, order: 506 } },
    },
  ],
};
