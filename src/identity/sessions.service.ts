import { Inject, Injectable } from '@nestjs/common';
import { parse as parseCookies } from 'cookie';
import { timingSafeEqual } from 'node:crypto';
import { AuditRepository } from '../audit/audit.repository';
import type { SessionAuthenticator, SessionRequest } from '../common/http/session-auth';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { actorOf, type Principal } from '../domain/principal/principal';
import { DomainError } from '../domain/problems/problems';
import { hashSecret } from '../domain/tokens/tokens';
import { IdentityRepository, type UserRecord } from './identity.repository';
import { oidcSettings, roleOf } from './roles';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session cookie's name: with https, the __Host- prefix (Secure, no Domain, Path=/). */
export function sessionCookieName(publicUrl: string): string {
  return publicUrl.startsWith('https://') ? '__Host-wg-enroll-session' : 'wg-enroll-session';
}

/**
 * Sessions: the cookie, the person behind it (idle and absolute expiry checked in Postgres, so
 * every replica agrees), and the guard's Origin + CSRF checks for state changes.
 */
@Injectable()
export class SessionsService implements SessionAuthenticator {
  constructor(
    private readonly repository: IdentityRepository,
    private readonly audit: AuditRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

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
      role: roleOf(found.user, oidcSettings(this.config)),
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

  /** Ends the session behind the request's cookie (if any) here. */
  async end(request: SessionRequest): Promise<void> {
    const sessionId = this.sessionIdOf(request);
    if (sessionId !== null) {
      await this.repository.endSession(hashSecret(sessionId));
    }
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
