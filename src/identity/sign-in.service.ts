import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AuditRepository } from '../audit/audit.repository';
import type { SessionRequest } from '../common/http/session-auth';
import { APP_CONFIG, type AppConfig, type OidcConfig } from '../config/env';
import { uuidv7 } from '../domain/ids/uuid';
import { DomainError } from '../domain/problems/problems';
import { hashSecret, newSecret } from '../domain/tokens/tokens';
import { IdentityRepository, type UserRecord } from './identity.repository';
import {
  authorizationRequest,
  endSessionUrl,
  groupsOf,
  redeemCode,
  type ProviderConfiguration,
  type SignedInClaims,
} from './oidc-provider';
import { oidcSettings } from './roles';
import { SessionsService } from './sessions.service';

export const OIDC_PROVIDER = Symbol('OIDC_PROVIDER');

/** How long a sign-in may take at the provider. */
const LOGIN_TTL_MS = 10 * 60_000;

/** A local path to return to after sign-in (never another site: no scheme, no //host). */
export function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s]*$/.test(value) && value.length <= 200 ? value : '/';
}

export interface SignedIn {
  sessionId: string;
  returnTo: string;
  user: UserRecord;
}

/** The sign-in flow at the provider (code flow with PKCE, state and nonce) and sign-out there. */
@Injectable()
export class SignInService {
  private readonly logger = new Logger('Identity');

  constructor(
    private readonly repository: IdentityRepository,
    private readonly audit: AuditRepository,
    private readonly sessions: SessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    /** Null without OIDC_ISSUER: the users API still answers (with the people signed in before). */
    @Inject(OIDC_PROVIDER) private readonly providerOrNull: ProviderConfiguration | null,
  ) {}

  private get provider(): ProviderConfiguration {
    if (this.providerOrNull === null) {
      throw new DomainError('sign-in-not-configured', 'Set OIDC_ISSUER to let people sign in.');
    }
    return this.providerOrNull;
  }

  private get oidc(): OidcConfig {
    return oidcSettings(this.config);
  }

  get redirectUri(): string {
    return `${this.config.publicUrl}/auth/callback`;
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

  /** Ends the local session; answers where the browser goes next (the provider's sign-out, or /). */
  async logout(request: SessionRequest): Promise<string> {
    await this.sessions.end(request);
    return endSessionUrl(this.provider, `${this.config.publicUrl}/`) ?? '/';
  }
}
