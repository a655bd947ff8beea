export type Role = 'admin' | 'requester' | 'agent';

export type Principal =
  | { readonly kind: 'token'; readonly id: string; readonly role: Role; readonly networkId: string | null }
  | { readonly kind: 'enrollment-key'; readonly id: string; readonly networkId: string }
  | {
      /** A person signed in through OpenID Connect (a session cookie or a personal API token). */
      readonly kind: 'user';
      readonly id: string;
      readonly role: 'admin' | 'requester';
      readonly networkId: null;
      readonly via: 'session' | 'token';
    };

export type Permit = Role | 'enrollment-key';

/** The actor string written to audit events and peer owners. */
export function actorOf(principal: Principal | null): string {
  if (principal === null) {
    return 'system';
  }
  return `${principal.kind}:${principal.id}`;
}

export function isAdmin(principal: Principal): boolean {
  return principal.kind !== 'enrollment-key' && principal.role === 'admin';
}

/** The role a principal acts in ('enrollment-key' for enrollment keys). */
export function permitOf(principal: Principal): Permit {
  return principal.kind === 'enrollment-key' ? 'enrollment-key' : principal.role;
}

/** A signed-in person who is not an admin: enrolls only where self-service is open, up to its limit. */
export function isSelfService(principal: Principal): boolean {
  return principal.kind === 'user' && principal.role !== 'admin';
}
