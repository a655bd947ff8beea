import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';

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
