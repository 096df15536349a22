// What a route declares: its Chinese title, who may open it, and where it sits in the left menu.
// Each area of the application adds its routes in a file of its own under router/areas/.
import type { RouteRecordRaw } from "vue-router";

export interface MenuPlace {
  /** The menu group's title, e.g. "组织机构"; groups are ordered by their first item's order. */
  group: string;
  order: number;
}

declare module "vue-router" {
  interface RouteMeta {
    title?: string;
    /** Roles any one of which opens the page; none: every signed-in account. */
    roles?: readonly string[];
    /** Pages without login (the login page, the public verification page). */
    public?: boolean;
    /** Pages that also fit a 390-pixel phone screen. */
    mobile?: boolean;
    menu?: MenuPlace;
  }
}

/** An area's routes: shown inside the signed-in layout unless `public` is set on the route. */
export interface Area {
  routes: RouteRecordRaw[];
}
