// The left menu: every signed-in route with a menu place the account's roles open, by group.
import type { Router } from "vue-router";

/** The inbox's path: its menu item carries the number of unread items. */
export const INBOX_PATH = "/inbox";

export interface MenuItem {
  path: string;
  title: string;
  order: number;
}

export interface MenuGroup {
  title: string;
  order: number;
  items: MenuItem[];
}

export function menuGroups(router: Router, allowed: (roles: readonly string[] | undefined) => boolean): MenuGroup[] {
  const groups = new Map<string, MenuGroup>();
  for (const route of router.getRoutes()) {
    const menu = route.meta.menu;
    if (!menu || route.meta.public || !allowed(route.meta.roles) || route.path.includes(":")) continue;
    const group = groups.get(menu.group) ?? { title: menu.group, order: menu.order, items: [] };
    group.order = Math.min(group.order, menu.order);
    group.items.push({ path: route.path, title: route.meta.title ?? route.path, order: menu.order });
    groups.set(menu.group, group);
  }
  const sorted = [...groups.values()].sort((a, b) => a.order - b.order);
  for (const group of sorted) group.items.sort((a, b) => a.order - b.order);
  return sorted;
}
