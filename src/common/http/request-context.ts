import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { DomainError } from '../errors/domain-error';
import { toProblem, sendProblem } from '../errors/problem.filter';
import type { RateLimiter } from './rate-limiter';

const logger = new Logger('http');
const VALID_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * A request id for every request (X-Request-Id, taken from the client when well-formed), one
 * access log line per response, and no caching of anything under /v1 or /claim: responses
 * there can carry secrets. Paths are logged through the redacting logger, so claim tokens in
 * URLs appear only as their masked prefix.
 */
export function requestContext(req: Request & { id?: string }, res: Response, next: NextFunction): void {
  const incoming = req.headers['x-request-id'];
  req.id = typeof incoming === 'string' && VALID_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', req.id);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (req.path.startsWith('/v1/') || req.path.startsWith('/claim/')) {
    res.setHeader('Cache-Control', 'no-store');
  }
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    logger.log({
      msg: 'request',
      requestId: req.id,
      method: req.method,
      path: req.originalUrl,
      status: res.statusCode,
      ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
    });
  });
  next();
}

/** Requests per client address on the API; answered 429 problem+json with Retry-After. */
export function rateLimit(limiter: RateLimiter) {
  return (req: Request & { id?: string }, res: Response, next: NextFunction): void => {
    if (!req.path.startsWith('/v1/')) {
      next();
      return;
    }
    try {
      limiter.hit(req.ip ?? 'unknown');
    } catch (error) {
      sendProblem(res, toProblem(error, req.id));
      return;
    }
    next();
  };
}

/** A body that is not JSON is refused (415) instead of being read as an empty object. */
export function requireJson(req: Request & { id?: string }, res: Response, next: NextFunction): void {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && req.path.startsWith('/v1/') && !req.is(['application/json', 'application/*+json'])) {
    sendProblem(
      res,
      toProblem(
        new DomainError(415, 'unsupported-media-type', 'The body must be JSON', 'Send Content-Type: application/json.'),
        req.id,
      ),
    );
    return;
  }
  next();
}
