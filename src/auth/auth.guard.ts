import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, Problems } from '../common/errors/domain-error';
import { RateLimiter } from '../common/http/rate-limiter';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { PERMITS } from './auth.decorators';
import { AuthService } from './auth.service';
import type { Permit, Principal } from './principal';

/** Global guard: 401 without a valid credential, 403 when the credential lacks the role. */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly failures: RateLimiter;

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.failures = new RateLimiter(config.authFailuresPerMinute);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const permits = this.reflector.getAllAndOverride<Permit[] | undefined>(PERMITS, [
      context.getHandler(),
      context.getClass(),
    ]) ?? ['admin'];
    if (permits.length === 0) {
      return true;
    }
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; principal?: Principal; ip?: string }>();
    const client = request.ip ?? 'unknown';
    // Guessing credentials is slowed down per client address.
    this.failures.check(client);
    let principal: Principal;
    try {
      principal = await this.auth.authenticate(request.headers.authorization);
    } catch (error) {
      if (error instanceof DomainError && error.status === 401) {
        this.failures.hit(client);
      }
      throw error;
    }
    const permit: Permit = principal.kind === 'token' ? principal.role : 'enrollment-key';
    if (!permits.includes(permit)) {
      throw Problems.forbidden(`This operation is for ${permits.join(', ')}; your credential is ${permit}.`);
    }
    request.principal = principal;
    return true;
  }
}
