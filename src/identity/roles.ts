import type { AppConfig, OidcConfig } from '../config/env';
import type { UserRecord } from './identity.repository';

/** The sign-in settings, or empty ones without OIDC_ISSUER (the users API still answers then). */
export function oidcSettings(config: AppConfig): OidcConfig {
  return (
    config.oidc ?? {
      issuer: '',
      clientId: '',
      clientSecret: undefined,
      scopes: '',
      groupsClaim: '',
      adminGroups: [],
      allowedGroups: [],
    }
  );
}

/** A person in one of OIDC_ADMIN_GROUPS (at their last sign-in) is an admin; anyone else a requester. */
export function roleOf(user: Pick<UserRecord, 'groups'>, oidc: OidcConfig): 'admin' | 'requester' {
  return user.groups.some((g) => oidc.adminGroups.includes(g)) ? 'admin' : 'requester';
}
