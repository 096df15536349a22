// The routes: the login and password pages, the public pages, and every area's pages inside the
// signed-in layout. Each page's code loads when it is first opened (a chunk per page), so the login
// route carries only what it needs.
import { createRouter, createWebHistory, type RouteRecordRaw } from "vue-router";
import { whenSessionExpires } from "@/api/session";
import { useAuthStore } from "@/stores/auth";
import type { Area } from "./meta";

const areas = import.meta.glob<Area>("./areas/*.ts", { eager: true, import: "area" });
const areaRoutes = Object.keys(areas)
  .sort()
  .flatMap((key) => areas[key].routes);

export const signedInRoutes: RouteRecordRaw[] = [
  { path: "", name: "home", component: () => import("@/views/HomeView.vue"), meta: { title: "工作台" } },
  ...areaRoutes.filter((r) => !r.meta?.public),
];

const routes: RouteRecordRaw[] = [
  { path: "/login", name: "login", component: () => import("@/views/LoginView.vue"), meta: { title: "登录", public: true, mobile: true } },
  {
    path: "/change-password",
    name: "change-password",
    component: () => import("@/views/ChangePasswordView.vue"),
    meta: { title: "修改密码", mobile: true },
  },
  ...areaRoutes.filter((r) => r.meta?.public),
  { path: "/", component: () => import("@/layouts/AppLayout.vue"), children: signedInRoutes },
  { path: "/403", name: "forbidden", component: () => import("@/views/ForbiddenView.vue"), meta: { title: "无权访问" } },
  {
    path: "/:pathMatch(.*)*",
    name: "not-found",
    component: () => import("@/views/NotFoundView.vue"),
    meta: { title: "页面不存在", public: true },
  },
];

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  const auth = useAuthStore();
  if (!auth.signedIn) return { name: "login", query: { redirect: to.fullPath } };
  if (auth.mustChangePassword) return to.name === "change-password" ? true : { name: "change-password" };
  if (!auth.me) {
    try {
      await auth.loadMe();
    } catch {
      auth.forget();
      return { name: "login", query: { redirect: to.fullPath } };
    }
  }
  return auth.hasAnyRole(to.meta.roles) ? true : { name: "forbidden" };
});

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} - 平凉市职称评审系统` : "平凉市职称评审系统";
});

whenSessionExpires(() => {
  useAuthStore().forget();
  void router.push({ name: "login", query: { redirect: router.currentRoute.value.fullPath, expired: "1" } });
});
