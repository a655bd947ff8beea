import { Inject, Injectable, Logger } from '@nestjs/common';
import { parse as parseCookies } from 'cookie';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { AuditRepository } from '../audit/audit.repository';
import type { SessionAuthenticator, SessionRequest } from '../common/http/session-auth';
import { APP_CONFIG, type AppConfig, type OidcConfig } from '../config/env';
import { uuidv7 } from '../domain/ids/uuid';
import { actorOf, type Principal } from '../domain/principal/principal';
import { DomainError, Problems } from '../domain/problems/problems';
import { hashSecret, newSecret } from '../domain/tokens/tokens';
import { IdentityRepository, type UserRecord } from './identity.repository';
import { PeersService } from '../peers/peers.service';
import type { UserView } from './users.dto';
import {
  authorizationRequest,
  endSessionUrl,
  groupsOf,
  redeemCode,
  type ProviderConfiguration,
  type SignedInClaims,
} from './oidc-provider';

export const OIDC_PROVIDER = Symbol('OIDC_PROVIDER');

/** How long a sign-in may take at the provider. */
const LOGIN_TTL_MS = 10 * 60_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session cookie's name: with https, the __Host- prefix (Secure, no Domain, Path=/). */
export function sessionCookieName(publicUrl: string): string {
  return publicUrl.startsWith('https://') ? '__Host-wg-enroll-session' : 'wg-enroll-session';
}

/** A local path to return to after sign-in (never another site: no scheme, no //host). */
export function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s]*$/.test(value) && value.length <= 200 ? value : '/';
}

export interface SignedIn {
  sessionId: string;
  returnTo: string;
  user: UserRecord;
}

@Injectable()
export class IdentityService implements SessionAuthenticator {
  private readonly logger = new Logger('Identity');

  constructor(
    private readonly repository: IdentityRepository,
    private readonly audit: AuditRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    /** Null without OIDC_ISSUER: the users API still answers (with the people signed in before). */
    @Inject(OIDC_PROVIDER) private readonly providerOrNull: ProviderConfiguration | null,
    private readonly peers: PeersService,
  ) {}

  private get provider(): ProviderConfiguration {
    if (this.providerOrNull === null) {
      throw new DomainError('sign-in-not-configured', 'Set OIDC_ISSUER to let people sign in.');
    }
    return this.providerOrNull;
  }

  private get oidc(): OidcConfig {
    return (
      this.config.oidc ?? {
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

  get cookieName(): string {
    return sessionCookieName(this.config.publicUrl);
  }

  /** HttpOnly, SameSite=Lax, Secure when PUBLIC_URL is https; it lives as long as the session may. */
  cookieOptions() {
    return {
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: this.config.publicUrl.startsWith('https://'),
      path: '/',
      maxAge: this.config.sessionMaxMs,
    };
  }

  get redirectUri(): string {
    return `${this.config.publicUrl}/auth/callback`;
  }

  roleOf(user: UserRecord): 'admin' | 'requester' {
    return user.groups.some((g) => this.oidc.adminGroups.includes(g)) ? 'admin' : 'requester';
  }

  /** Starts a sign-in: the state, nonce and PKCE verifier stay in the database, keyed by the state's hash. */
  async startLogin(returnTo: unknown): Promise<string> {
    const request = await authorizationRequest(this.provider, this.redirectUri, this.oidc.scopes);
    await this.repository.saveLoginAttempt(
      hashSecret(request.state),
      { nonce: request.nonce, codeVerifier: request.codeVerifier, returnTo: safeReturnTo(returnTo) },
      new Date(Date.now() + LOGIN_TTL_MS),
    );
    return request.url.toString();
  }

  /**
   * Finishes a sign-in from the provider's redirect. A wrong, reused or expired state, a code or
   * ID token openid-client does not accept, a disabled person or one outside OIDC_ALLOWED_GROUPS
   * is refused (and audited) with nothing created.
   */
  async finishLogin(query: Record<string, unknown>, rawQuery: string): Promise<SignedIn> {
    const state = typeof query.state === 'string' ? query.state : '';
    const attempt = state === '' ? null : await this.repository.takeLoginAttempt(hashSecret(state));
    if (attempt === null) {
      await this.refused('unknown, used or expired state');
      throw new DomainError('sign-in-state-invalid', 'Start again from the sign-in link.');
    }
    if (typeof query.error === 'string') {
      await this.refused(`provider answered ${query.error.slice(0, 64)}`);
      throw new DomainError('sign-in-failed', 'The identity provider refused the sign-in.');
    }
    let signedIn;
    try {
      signedIn = await redeemCode(this.provider, new URL(`${this.redirectUri}?${rawQuery}`), { state, ...attempt });
    } catch (error) {
      // The reason names the check that failed, never the code or a token.
      const reason = error instanceof Error ? error.message.slice(0, 200) : 'rejected';
      await this.refused(reason);
      throw new DomainError('sign-in-failed', 'The identity provider did not confirm this sign-in. Try again.');
    }
    const { user, sessionId } = await this.admit(signedIn, 'browser');
    return { sessionId: sessionId!, returnTo: attempt.returnTo, user };
  }

  /**
   * Lets in a person the provider confirmed, by a browser sign-in or a device login (join.sh
   * --login): a disabled person or one outside OIDC_ALLOWED_GROUPS is refused (and audited) with
   * nothing created; otherwise the person is created or updated, with a session for a browser.
   */
  async admit(
    signedIn: SignedInClaims,
    via: 'browser' | 'device',
  ): Promise<{ user: UserRecord; sessionId: string | null }> {
    const groups = groupsOf(signedIn.claims, this.oidc.groupsClaim);
    const issuer = this.provider.serverMetadata().issuer;
    const admin = groups.some((g) => this.oidc.adminGroups.includes(g));
    const allowed =
      admin || this.oidc.allowedGroups.length === 0 || groups.some((g) => this.oidc.allowedGroups.includes(g));
    const known = await this.repository.findUser(issuer, signedIn.subject);
    if (!allowed || known?.disabledAt) {
      await this.refused(!allowed ? 'not in OIDC_ALLOWED_GROUPS' : 'user disabled', {
        subject: signedIn.subject,
        email: signedIn.email,
        userId: known?.id,
      });
      throw new DomainError(
        'sign-in-refused',
        !allowed
          ? 'Your account is not in a group allowed to use this service. Ask the hub administrators.'
          : 'Your access was disabled by the hub administrators.',
      );
    }
    const sessionId = via === 'browser' ? newSecret('session') : null;
    const user = await this.repository.signIn(
      {
        id: uuidv7(),
        issuer,
        subject: signedIn.subject,
        email: signedIn.email,
        name: signedIn.name,
        groups,
      },
      sessionId === null
        ? null
        : {
            idHash: hashSecret(sessionId),
            csrfToken: randomBytes(32).toString('base64url'),
            expiresAt: new Date(Date.now() + this.config.sessionMaxMs),
          },
      (saved, created) => ({
        actor: `user:${saved.id}`,
        action: 'user.signed-in',
        targetType: 'user',
        targetId: saved.id,
        details: { email: saved.email, name: saved.name, admin, created, ...(via === 'device' ? { via } : {}) },
      }),
    );
    return { user, sessionId };
  }

  private async refused(reason: string, details: Record<string, unknown> = {}): Promise<void> {
    this.logger.warn({ msg: 'sign-in refused', reason });
    await this.audit.record({ actor: 'anonymous', action: 'user.sign-in-refused', details: { reason, ...details } });
  }

  sessionIdOf(request: SessionRequest): string | null {
    const header = request.headers.cookie;
    if (typeof header !== 'string') {
      return null;
    }
    const value = parseCookies(header)[this.cookieName];
    return value === undefined || value === '' ? null : value;
  }

  /** The person behind the session cookie and its CSRF token, or null (no cookie) / session-expired. */
  async session(request: SessionRequest): Promise<{ user: UserRecord; csrfToken: string } | null> {
    const sessionId = this.sessionIdOf(request);
    if (sessionId === null) {
      return null;
    }
    const found = await this.repository.useSession(hashSecret(sessionId), this.config.sessionIdleMs);
    if (found === null) {
      throw new DomainError('session-expired', 'Sign in again at /auth/login.');
    }
    return found;
  }

  /**
   * The guard's way in for a session cookie. A state change (any unsafe method) must come from
   * our own origin (the Origin header) and carry the session's CSRF token (X-CSRF-Token):
   * SameSite=Lax alone lets a sibling site on the same registrable domain post with the cookie.
   */
  async authenticate(request: SessionRequest): Promise<Principal | null> {
    const found = await this.session(request);
    if (found === null) {
      return null;
    }
    const principal: Principal = {
      kind: 'user',
      id: found.user.id,
      role: this.roleOf(found.user),
      networkId: null,
      via: 'session',
    };
    if (!SAFE_METHODS.has(request.method.toUpperCase())) {
      const origin = request.headers.origin;
      if (origin !== new URL(this.config.publicUrl).origin) {
        await this.audit.record({
          actor: actorOf(principal),
          action: 'session.cross-origin-refused',
          targetType: 'user',
          targetId: found.user.id,
          details: { origin: typeof origin === 'string' ? origin.slice(0, 200) : null, method: request.method },
        });
        throw new DomainError('cross-origin-refused', 'Requests signed in by a session must come from this site.');
      }
      const token = request.headers['x-csrf-token'];
      if (typeof token !== 'string' || !sameText(token, found.csrfToken)) {
        throw new DomainError('csrf-token-invalid', 'Send the X-CSRF-Token header from GET /auth/session.');
      }
    }
    return principal;
  }

  /** Ends the local session; answers where the browser goes next (the provider's sign-out, or /). */
  async logout(request: SessionRequest): Promise<string> {
    const sessionId = this.sessionIdOf(request);
    if (sessionId !== null) {
      await this.repository.endSession(hashSecret(sessionId));
    }
    return endSessionUrl(this.provider, `${this.config.publicUrl}/`) ?? '/';
  }

  async listUsers(): Promise<UserView[]> {
    const [users, devices] = await Promise.all([this.repository.listUsers(), this.repository.liveDevices()]);
    return users.map((u) => this.view(u, devices.get(`user:${u.id}`) ?? 0));
  }

  view(user: UserRecord, devices: number): UserView {
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      groups: [...user.groups],
      admin: this.roleOf(user) === 'admin',
      lastSignInAt: user.lastSignInAt?.toISOString() ?? null,
      disabledAt: user.disabledAt?.toISOString() ?? null,
      devices,
    };
  }

  /**
   * Disables a person: their sessions and personal tokens end at once (one transaction); their
   * devices either leave the hub (quarantined, kept for the record) or are revoked.
   */
  async disable(actor: Principal, id: string, devices: 'off-hub' | 'revoke'): Promise<UserRecord> {
    const user = await this.repository.disable(id, devices === 'off-hub', {
      actor: actorOf(actor),
      action: 'user.disabled',
      targetType: 'user',
      targetId: id,
      details: { devices },
    });
    if (user === null) {
      throw (await this.repository.findUserById(id)) === null
        ? Problems.notFound('user')
        : new DomainError('conflict', 'This person is disabled already.');
    }
    if (devices === 'revoke') {
      for (const peerId of await this.repository.liveDeviceIds(id)) {
        await this.peers.revoke(actor, peerId).catch((error: unknown) => {
          // Revoked or expired meanwhile: nothing left to do for that one.
          if (!(error instanceof DomainError)) {
            throw error;
          }
        });
      }
    }
    return user;
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
