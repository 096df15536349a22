// Where the signed-in session's tokens live (sessionStorage: a closed tab ends the session) and the
// one refresh in flight that every request waiting on a 401 shares.

export interface Tokens {
  access_token: string;
  refresh_token?: string | null;
  expires_in: number;
  password_change_required?: boolean;
}

const KEY = "zhicheng.session";

export interface StoredSession {
  accessToken: string;
  refreshToken: string | null;
  passwordChangeRequired: boolean;
}

export function loadSession(): StoredSession | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as StoredSession) : null;
  } catch {
    return null;
  }
}

export function saveSession(tokens: Tokens): StoredSession {
  const session: StoredSession = {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? null,
    passwordChangeRequired: Boolean(tokens.password_change_required),
  };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

let refreshing: Promise<StoredSession | null> | null = null;
let onExpired: () => void = () => {};

/** The page to go to when the session cannot be renewed (set by the router). */
export function whenSessionExpires(callback: () => void): void {
  onExpired = callback;
}

/** Renews the access token with the refresh token, once for all the requests that asked meanwhile. */
export function refreshSession(): Promise<StoredSession | null> {
  if (refreshing) return refreshing;
  const current = loadSession();
  if (!current?.refreshToken) return Promise.resolve(null);
  refreshing = (async () => {
    try {
      const response = await fetch("/api/v1/auth/token", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: current.refreshToken! }),
      });
      if (!response.ok) {
        clearSession();
        onExpired();
        return null;
      }
      return saveSession((await response.json()) as Tokens);
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}
