import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Permit, Principal } from '../../domain/principal/principal';

export const PERMITS = 'wg-enroll:permits';

/** Who may call a handler. A handler without @Allow is admin-only; @Allow() with nothing is public. */
export const Allow = (...permits: Permit[]) => SetMetadata(PERMITS, permits);
export const Public = () => SetMetadata(PERMITS, []);

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest<{ principal: Principal }>().principal;
});
