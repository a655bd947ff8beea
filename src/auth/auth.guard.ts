import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Problems } from '../common/errors/domain-error';
import { PERMITS } from './auth.decorators';
import { AuthService } from './auth.service';
import type { Permit, Principal } from './principal';

/** Global guard: 401 without a valid credential, 403 when the credential lacks the role. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const permits = this.reflector.getAllAndOverride<Permit[] | undefined>(PERMITS, [context.getHandler(), context.getClass()]) ?? [
      'admin',
    ];
    if (permits.length === 0) {
      return true;
    }
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; principal?: Principal }>();
    const principal = await this.auth.authenticate(request.headers.authorization);
    const permit: Permit = principal.kind === 'token' ? principal.role : 'enrollment-key';
    if (!permits.includes(permit)) {
      throw Problems.forbidden(`This operation is for ${permits.join(', ')}; your credential is ${permit}.`);
    }
    request.principal = principal;
    return true;
  }
}
