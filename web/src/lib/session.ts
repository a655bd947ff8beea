// The signed-in person (OpenID Connect), when there is one: the pages then call the same /v1 API
// with the session cookie (HttpOnly: scripts never see it) and send the CSRF token the service
// gives out at GET /auth/session on every state change. Nothing is kept in page storage.
import { createApiClient, type ApiClient } from '../../../src/contract';

export interface SignedIn {
  readonly user: { id: string; email: string | null; name: string | null; admin: boolean };
  readonly csrfToken: string;
}

/** Who is signed in; 'signed-out' when sign-in is offered but nobody is; null without sign-in here. */
export async function currentSession(): Promise<SignedIn | 'signed-out' | null> {
  try {
    const response = await fetch('/auth/session', {
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { Accept: 'application/json' },
    });
    if (!response.ok) {
      return null;
    }
    const answer = (await response.json()) as { signIn: boolean; user: SignedIn['user'] | null; csrfToken?: string };
    if (answer.user === null || answer.csrfToken === undefined) {
      return answer.signIn ? 'signed-out' : null;
    }
    return { user: answer.user, csrfToken: answer.csrfToken };
  } catch {
    return null;
  }
}

/** The typed API client of a signed-in page: the cookie and the CSRF token. */
export function sessionApi(session: SignedIn): ApiClient {
  return createApiClient({
    baseUrl: '',
    headers: { 'X-CSRF-Token': session.csrfToken },
    init: { credentials: 'same-origin', cache: 'no-store', referrerPolicy: 'no-referrer' },
  });
}

/** Signs out here and at the provider (when it offers it). */
export async function signOut(session: SignedIn): Promise<void> {
  const response = await fetch('/auth/logout', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'X-CSRF-Token': session.csrfToken, Accept: 'application/json' },
  });
  const next = response.ok ? ((await response.json()) as { redirect: string }).redirect : '/';
  location.assign(next);
}

export function displayName(session: SignedIn): string {
  return session.user.name ?? session.user.email ?? 'you';
}
