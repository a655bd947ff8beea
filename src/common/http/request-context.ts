import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { DomainError } from '../../domain/problems/problems';
import { logContext } from '../logging/log-context';
import { toProblem, sendProblem } from '../errors/problem.filter';
import type { AppConfig } from '../../config/env';
import type { Bucket, RateLimitStore } from '../../database/rate-limit.store';
import { addressSubject, rateLimited, subjectHash } from './rate-limits';

const logger = new Logger('http');
const VALID_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * A request id for every request (X-Request-Id, taken from the client when well-formed) on
 * every log line written while serving it (logContext), one access log line per response, and no caching of anything under /v1 or /claim: responses
 * there can carry secrets. Paths are logged through the redacting logger, so claim tokens in
 * URLs appear only as their masked prefix.
 */
/** Paths whose every answer is `Cache-Control: no-store` (the OpenAPI document declares it there). */
export function isNoStorePath(path: string): boolean {
  return path.startsWith('/v1/') || path.startsWith('/claim/');
}

export function requestContext(req: Request & { id?: string }, res: Response, next: NextFunction): void {
  const incoming = req.headers['x-request-id'];
  req.id = typeof incoming === 'string' && VALID_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', req.id);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (isNoStorePath(req.path)) {
    res.setHeader('Cache-Control', 'no-store');
  }
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    logger.log({
      msg: 'request',
      requestId: req.id,
      method: req.method,
      path: loggedPath(req),
      status: res.statusCode,
      ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
    });
  });
  logContext.run({ requestId: req.id }, next);
}

/**
 * The path an access log line names: the matched route's template (`/v1/claims/:claimToken`),
 * never the path as sent, which may carry a secret in any spelling. A request no route took
 * (404, or refused before routing) is logged by its path decoded once, so the logger's redaction
 * masks a percent-encoded secret like a plain one; the query string is never logged.
 */
function loggedPath(req: Request): string {
  const template: unknown = req.route?.path;
  if (typeof template === 'string') {
    return `${req.baseUrl}${template}`;
  }
  let path = req.path;
  try {
    path = decodeURIComponent(path);
  } catch {
    // a malformed escape: the raw text (the logger redacts it as any string)
  }
  return path;
}

const ENROLL = /^\/v1\/(?:networks\/[^/]+\/peers|peers\/[^/]+\/reissue)\/?$/;
const CLAIM_API = /^\/v1\/claims\/([^/]+)\/?$/;
const CLAIM_PAGE = /^\/claim\/[^/]+\/?$/;
/** Public sign-in routes: each one writes a row (a login attempt, a refusal's audit event, a device login) or asks the provider. */
const SIGN_IN = /^\/auth\/(?:login|callback|device|device\/token)\/?$/;

/**
 * The buckets one request counts before routing (see docs/operations.md, "Abuse limits").
 * Failed authentications are not among them: the auth guard counts and judges those after the
 * credential was looked up, so a valid credential is never refused for someone else's guesses.
 */
export function bucketsFor(
  req: Pick<Request, 'method' | 'path' | 'ip' | 'headers'>,
  config: Pick<AppConfig, 'rateLimitPerMinute' | 'limits'>,
): { hit: Bucket[] } {
  const hit: Bucket[] = [];
  const api = req.path.startsWith('/v1/');
  const address = addressSubject(req.ip);
  const credential = credentialSubject(req.headers.authorization);
  const claim = req.method === 'POST' ? CLAIM_API.exec(req.path) : null;
  if (api) {
    hit.push({ key: `api:a:${address}`, limit: config.rateLimitPerMinute, name: 'requests-per-address' });
  }
  if (req.method === 'POST' && ENROLL.test(req.path)) {
    hit.push({ key: `enroll:a:${address}`, limit: config.limits.enrollPerAddress, name: 'enroll-per-address' });
    if (credential !== null) {
      hit.push({
        key: `enroll:c:${credential}`,
        limit: config.limits.enrollPerCredential,
        name: 'enroll-per-credential',
      });
    }
  }
  if (claim !== null || (req.method === 'GET' && CLAIM_PAGE.test(req.path))) {
    hit.push({ key: `claim:a:${address}`, limit: config.limits.claimPerAddress, name: 'claim-per-address' });
  }
  if (SIGN_IN.test(req.path)) {
    hit.push({ key: `signin:a:${address}`, limit: config.limits.signInPerAddress, name: 'sign-in-per-address' });
  }
  if (claim !== null) {
    let token = claim[1];
    try {
      token = decodeURIComponent(token);
    } catch {
      // a malformed escape: count the raw text
    }
    hit.push({ key: `claim:t:${subjectHash(token)}`, limit: config.limits.claimPerToken, name: 'claim-per-token' });
  }
  return { hit };
}

export function authFailureBuckets(
  address: string,
  credential: string | null,
  config: Pick<AppConfig, 'authFailuresPerMinute' | 'limits'>,
): Bucket[] {
  const out: Bucket[] = [
    { key: `authfail:a:${address}`, limit: config.authFailuresPerMinute, name: 'auth-failures-per-address' },
  ];
  if (credential !== null) {
    out.push({
      key: `authfail:c:${credential}`,
      limit: config.limits.authFailuresPerCredential,
      name: 'auth-failures-per-credential',
    });
  }
  return out;
}

/** The presented credential as a counter key (a hash; the secret is never stored). */
export function credentialSubject(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string' || header.trim() === '') {
    return null;
  }
  return subjectHash(header.trim().replace(/^Bearer\s+/i, ''));
}

/**
 * Abuse limits before routing, shared by all replicas through Postgres: requests per address on
 * /v1, enrollment and claim redemption per address and per credential/claim token (failed
 * authentications: see AuthGuard). Answered 429 problem+json with Retry-After. The client
 * address is req.ip, which honours X-Forwarded-For only as TRUST_PROXY allows.
 */
export function abuseLimits(store: RateLimitStore, config: AppConfig, onLimited: (limit: string) => void) {
  return (req: Request & { id?: string }, res: Response, next: NextFunction): void => {
    const { hit } = bucketsFor(req, config);
    // The embedded hub agent (its token lives only in this process) is never starved by limits
    // that other clients at its address (loopback, a local proxy) spend.
    if (hit.length === 0 || store.isExempt(credentialSubject(req.headers.authorization))) {
      next();
      return;
    }
    store.take(hit).then(
      (refusal) => {
        if (refusal === null) {
          next();
          return;
        }
        onLimited(refusal.bucket.name);
        sendProblem(res, toProblem(rateLimited(refusal.retryAfter, refusal.bucket.name), req.id));
      },
      (error: unknown) => sendProblem(res, toProblem(error, req.id)),
    );
  };
}

/** A body that is not JSON is refused (415) instead of being read as an empty object. */
export function requireJson(req: Request & { id?: string }, res: Response, next: NextFunction): void {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && req.path.startsWith('/v1/') && !req.is(['application/json', 'application/*+json'])) {
    sendProblem(
      res,
      toProblem(new DomainError('unsupported-media-type', 'Send Content-Type: application/json.'), req.id),
    );
    return;
  }
  next();
}
