// 专家: the expert's own sessions and their own ballot form (NAT-2: never anyone's votes), their blind
// reviews and their panels' defense schedule.
import type { Area } from "../meta";

const EXPERT = ["expert"] as const;
const GROUP = "专家评审";

export const area: Area = {
  routes: [
    {
      path: "expert/sessions",
      name: "expert-sessions",
      component: () => import("@/views/expert/MySessionsView.vue"),
      meta: { title: "我的评审会议", roles: EXPERT, menu: { group: GROUP, order: 600 } },
    },
    {
      path: "expert/sessions/:sessionId/ballot",
      name: "expert-ballot",
      component: () => import("@/views/expert/BallotView.vue"),
      meta: { title: "表决票", roles: EXPERT, mobile: true },
    },
    {
      path: "expert/blind-reviews",
      name: "expert-blind-reviews",
      component: () => import("@/views/expert/BlindReviewsView.vue"),
      meta: { title: "我的盲审", roles: EXPERT, menu: { group: GROUP, order: 601 } },
    },
    {
      path: "expert/defenses",
      name: "expert-defenses",
      component: () => import("@/views/expert/MyDefensesView.vue"),
      meta: { title: "我的答辩日程", roles: EXPERT, menu: { group: GROUP, order: 602 } },
    },
  ],
};
