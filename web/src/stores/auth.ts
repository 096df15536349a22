// The signed-in account: login (OAuth2 password grant), the forced change of an initial password,
// the current account and organisation, the role catalogue's Chinese names, and logout.
import { defineStore } from "pinia";
import { computed, ref } from "vue";
import { call, commandKey, orgApi } from "@/api/client";
import { ApiProblem } from "@/api/problem";
import { clearSession, loadSession, saveSession, type Tokens } from "@/api/session";

export interface Me {
  account_id: string;
  username: string;
  display_name: string;
  org_id: string | null;
  org_name?: string | null;
  org_path: string;
  roles: string[];
}

export const useAuthStore = defineStore("auth", () => {
  const session = ref(loadSession());
  const me = ref<Me | null>(null);
  const roleNames = ref<Record<string, string>>({});

  const signedIn = computed(() => session.value !== null);
  const mustChangePassword = computed(() => Boolean(session.value?.passwordChangeRequired));
  const roles = computed(() => me.value?.roles ?? []);

  function hasAnyRole(wanted: readonly string[] | undefined): boolean {
    if (!wanted || wanted.length === 0) return true;
    return roles.value.some((r) => wanted.includes(r));
  }

  function roleName(role: string): string {
    return roleNames.value[role] ?? role;
  }

  async function login(username: string, password: string): Promise<void> {
    const response = await fetch("/api/v1/auth/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "password", username, password }),
    }).catch(() => null);
    if (!response) throw ApiProblem.from(0, undefined);
    const body = await response.json().catch(() => undefined);
    if (!response.ok) throw ApiProblem.from(response.status, body);
    session.value = saveSession(body as Tokens);
    me.value = null;
    if (!session.value.passwordChangeRequired) await loadMe();
  }

  async function changePassword(oldPassword: string, newPassword: string): Promise<void> {
    const tokens = await call(
      orgApi.POST("/api/v1/auth/password", {
        body: { old_password: oldPassword, new_password: newPassword },
        params: { header: { "Idempotency-Key": commandKey() } },
      } as never),
    );
    session.value = saveSession(tokens as Tokens);
    await loadMe();
  }

  async function loadMe(): Promise<Me | null> {
    if (!session.value || session.value.passwordChangeRequired) return null;
    me.value = (await call(orgApi.GET("/api/v1/accounts/me"))) as Me;
    if (Object.keys(roleNames.value).length === 0) {
      const catalogue = await call(orgApi.GET("/api/v1/roles"));
      roleNames.value = Object.fromEntries(catalogue.map((r) => [r.role, r.name]));
    }
    return me.value;
  }

  async function logout(): Promise<void> {
    const refreshToken = session.value?.refreshToken;
    if (refreshToken) {
      await orgApi.POST("/api/v1/auth/revoke", { body: { refresh_token: refreshToken } }).catch(() => undefined);
    }
    forget();
  }

  /** Drops the session locally (after logout, or when it could not be renewed). */
  function forget(): void {
    clearSession();
    session.value = null;
    me.value = null;
  }

  return {
    session,
    me,
    signedIn,
    mustChangePassword,
    roles,
    hasAnyRole,
    roleName,
    login,
    changePassword,
    loadMe,
    logout,
    forget,
  };
});
