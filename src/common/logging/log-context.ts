import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The request a log line belongs to. The request-context middleware runs the rest of the
 * request inside it, so every line written while serving a request — by a service, the problem
 * filter or the rate limiter, not just the access log — carries that request's id.
 */
export const logContext = new AsyncLocalStorage<{ readonly requestId: string }>();
