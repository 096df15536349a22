// The public pages, without login and fit for a phone: the certificate verification the QR code opens
// (NAT-10), the results publicity (公示, NAT-3) and its complaint form (POL-PB-1).
import type { Area } from "../meta";

export const area: Area = {
  routes: [
    {
      path: "/verify",
      name: "public-verify",
      component: () => import("@/views/public/VerifyView.vue"),
      meta: { title: "职称资格证书查验", public: true, mobile: true },
    },
    {
      path: "/publicity",
      name: "public-publicity",
      component: () => import("@/views/public/PublicityListView.vue"),
      meta: { title: "评审结果公示", public: true, mobile: true },
    },
    {
      path: "/publicity/:sessionId",
      name: "public-publicity-detail",
      component: () => import("@/views/public/PublicityView.vue"),
      meta: { title: "评审结果公示", public: true, mobile: true },
    },
  ],
};
