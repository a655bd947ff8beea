export type Role = 'admin' | 'requester' | 'agent';

export type Principal =
  | { readonly kind: 'token'; readonly id: string; readonly role: Role; readonly networkId: string | null }
  | { readonly kind: 'enrollment-key'; readonly id: string; readonly networkId: string };

export type Permit = Role | 'enrollment-key';

/** The actor string written to audit events and peer owners. */
export function actorOf(principal: Principal | null): string {
  if (principal === null) {
    return 'system';
  }
  return principal.kind === 'token' ? `token:${principal.id}` : `enrollment-key:${principal.id}`;
}

export function isAdmin(principal: Principal): boolean {
  return principal.kind === 'token' && principal.role === 'admin';
}
