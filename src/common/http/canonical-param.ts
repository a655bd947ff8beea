import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/**
 * A path parameter only in its canonical spelling: the segment as it arrived (before Express
 * decodes it) must already match `pattern`. `wgc%5F…` or `%77gc_…` decode to a valid token,
 * but are another spelling of it, so the handler gets null (and refuses without a lookup).
 * The raw segment is found by the position of `:name` in the matched route template; routing
 * is strict, so template and path have the same segments.
 */
export const CanonicalParam = createParamDecorator(
  (spec: { name: string; pattern: RegExp }, context: ExecutionContext): string | null => {
    const req = context.switchToHttp().getRequest<Request>();
    const template = typeof req.route?.path === 'string' ? (req.route.path as string) : '';
    const index = template.split('/').indexOf(`:${spec.name}`);
    const raw = index < 0 ? undefined : req.path.split('/')[index];
    return raw !== undefined && raw === req.params[spec.name] && spec.pattern.test(raw) ? raw : null;
  },
);
