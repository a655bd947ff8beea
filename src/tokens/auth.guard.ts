import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { SESSION_AUTHENTICATOR, type SessionAuthenticator } from '../common/http/session-auth';
import { Reflector } from '@nestjs/core';
import { DomainError, Problems } from '../domain/problems/problems';
import { addressSubject, rateLimited } from '../common/http/rate-limits';
import { RateLimitStore } from '../database/rate-limit.store';
import { authFailureBuckets, credentialSubject } from '../common/http/request-context';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { PERMITS } from '../common/http/auth.decorators';
import { MetricsService } from '../metrics/metrics.service';
import { AuthService } from './auth.service';
import { permitOf, type Permit, type Principal } from '../domain/principal/principal';

/** Global guard: 401 without a valid credential, 403 when the credential lacks the role. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly limits: RateLimitStore,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(SESSION_AUTHENTICATOR) private readonly sessions?: SessionAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const permits = this.reflector.getAllAndOverride<Permit[] | undefined>(PERMITS, [
      context.getHandler(),
      context.getClass(),
    ]) ?? ['admin'];
    if (permits.length === 0) {
      return true;
    }
    const request = context.switchToHttp().getRequest<{
      method: string;
      headers: Record<string, string | undefined>;
      principal?: Principal;
      ip?: string;
    }>();
    let principal: Principal;
    try {
      // A bearer credential wins; without one, a signed-in browser's session cookie.
      const session =
        request.headers.authorization === undefined && this.sessions ? await this.sessions.authenticate(request) : null;
      principal =
        session ??
        (await this.auth.authenticate(request.headers.authorization, {
          allowSpent: typeof request.headers['idempotency-key'] === 'string',
        }));
    } catch (error) {
      // Guessing credentials is slowed down: a refused credential counts against the address and
      // the presented credential, and once either allowance is spent further refused attempts are
      // 429 instead of 401. The credential is looked up first (one indexed hash lookup), so a
      // valid one is never refused because others guessed from the same address.
      if (error instanceof DomainError && error.unauthenticated) {
        const refusal = await this.limits.take(
          authFailureBuckets(addressSubject(request.ip), credentialSubject(request.headers.authorization), this.config),
        );
        if (refusal !== null) {
          // Counted like the limits before routing, so /metrics shows guessing being slowed down.
          this.metrics.limited(refusal.bucket.name);
          throw rateLimited(refusal.retryAfter, refusal.bucket.name);
        }
      }
      throw error;
    }
    const permit: Permit = permitOf(principal);
    if (!permits.includes(permit)) {
      throw Problems.forbidden(`This operation is for ${permits.join(', ')}; your credential is ${permit}.`);
    }
    request.principal = principal;
    return true;
  }
}
