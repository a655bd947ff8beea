import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger, NotFoundException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isDatabaseUnavailable } from '../../database/unavailable';
import { codeOfStatus, PROBLEM_CATALOGUE, problemStatus, type ProblemCode } from '../../domain/problems/catalogue';
import { DomainError } from '../../domain/problems/problems';
import { allowedMethods, type RoutedApp } from './allowed-methods';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  [extra: string]: unknown;
}

/** The generic code and title of a bare HTTP status, from the catalogue. */
function generic(status: number): [string, string] | undefined {
  const code = codeOfStatus(status);
  return code === undefined ? undefined : [code, PROBLEM_CATALOGUE[code].title];
}

export function problemType(code: string): string {
  return `urn:wg-enroll:problem:${code}`;
}

/** Body-parser and other low-level errors carry a status and a type string. */
function lowLevelProblem(error: unknown): ProblemBody | null {
  const e = error as { status?: number; statusCode?: number; type?: string; expose?: boolean };
  const status = e?.status ?? e?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) {
    return null;
  }
  if (e.type === 'entity.too.large') {
    return catalogued('payload-too-large');
  }
  if (e.type === 'entity.parse.failed') {
    return catalogued('malformed-json');
  }
  const [code, title] = generic(status) ?? ['bad-request', 'Bad request'];
  return { type: problemType(code), title, status, code };
}

function catalogued(code: ProblemCode, detail?: string): ProblemBody {
  const { status, title } = PROBLEM_CATALOGUE[code];
  return { type: problemType(code), title, status, code, ...(detail !== undefined ? { detail } : {}) };
}

export function toProblem(error: unknown, requestId: string | undefined): ProblemBody {
  if (error instanceof DomainError) {
    return {
      ...error.extra,
      type: problemType(error.code),
      title: error.title,
      status: problemStatus(error.code),
      code: error.code,
      ...(error.message !== error.title ? { detail: error.message } : {}),
    };
  }
  // Nest wraps body-parser and URI errors in an HttpException; the cause says what happened.
  const low = lowLevelProblem(error instanceof HttpException && error.cause ? error.cause : error);
  if (low) {
    return low;
  }
  if (isDatabaseUnavailable(error)) {
    return catalogued(
      'database-unavailable',
      'The service is up but its database is not; retry shortly. Nothing was changed.',
    );
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const [code, title] =
      generic(status) ?? (status >= 500 ? ['internal-error', 'Internal error'] : ['bad-request', 'Bad request']);
    const response = error.getResponse() as { retryAfter?: number } | string;
    const retryAfter = typeof response === 'object' ? response.retryAfter : undefined;
    return { type: problemType(code), title, status, code, ...(retryAfter !== undefined ? { retryAfter } : {}) };
  }
  return catalogued(
    'internal-error',
    `Something went wrong on our side. Quote request id ${requestId ?? 'unknown'} when you report it.`,
  );
}

/**
 * Every error leaves as RFC 9457 application/problem+json with a stable `code`. Messages of
 * unexpected errors are logged (redacted) with the request id, never sent.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { id?: string }>();
    const response = http.getResponse<Response>();
    if (error instanceof NotFoundException && request !== undefined && unrouted(request, response)) {
      return;
    }
    const problem = toProblem(error, request?.id);
    if (problem.code === 'internal-error') {
      this.logger.error({ msg: 'unhandled error', requestId: request?.id, err: error });
    } else if (problem.status >= 500) {
      // Expected outages (503): one line without the stack, which says nothing new.
      const message = (error as Error)?.message?.split('\n').filter(Boolean).at(-1);
      this.logger.warn({ msg: problem.code, requestId: request?.id, err: message });
    }
    sendProblem(response, problem);
  }
}

/**
 * A route took the request: req.route is set by a route that ran, but for HEAD the router also
 * leaves it set after trying a route of another method, so the route's methods decide.
 */
function routeServes(request: Request): boolean {
  const methods = (request.route as { methods?: Record<string, boolean> } | undefined)?.methods;
  const method = request.method.toLowerCase();
  return methods !== undefined && (methods[method] === true || (method === 'head' && methods.get === true));
}

/**
 * A request no route took (Nest's not-found handler; a route that ran sets req.route): when the
 * path is known with other methods, OPTIONS is answered 204 and any other method 405, both with
 * `Allow`. Returns false for a path no route serves (the caller answers 404).
 */
function unrouted(request: Request & { id?: string }, response: Response): boolean {
  if (routeServes(request)) {
    return false;
  }
  const allow = allowedMethods(request.app as unknown as RoutedApp, request.path);
  if (allow.length === 0) {
    return false;
  }
  response.setHeader('Allow', allow.join(', '));
  if (request.method === 'OPTIONS') {
    response.status(204).end();
    return true;
  }
  sendProblem(
    response,
    // The path is not echoed: it may hold a secret (a claim token).
    toProblem(new DomainError('method-not-allowed', `This path answers ${allow.join(', ')}.`), request.id),
  );
  return true;
}

export function sendProblem(response: Response, problem: ProblemBody): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  if (problem.status === 429 && typeof problem.retryAfter === 'number') {
    response.setHeader('Retry-After', String(problem.retryAfter));
  }
  if (problem.status === 401) {
    // RFC 9110 §11.6.1: a 401 names the scheme the client should use.
    response.setHeader('WWW-Authenticate', 'Bearer');
  }
  if (problem.code === 'database-unavailable') {
    response.setHeader('Retry-After', '5');
  }
  response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}
