import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { z } from 'zod';
import { openApiSchema } from './zod';

const PROBLEM_TEXT: Record<number, string> = {
  400: 'Invalid request (code: validation-failed or a more specific code)',
  401: 'Missing, unknown, expired or revoked credential',
  403: 'The credential lacks the right',
  404: 'Not found',
  406: 'Not acceptable',
  409: 'Conflict with the current state',
  410: 'Gone: served, expired or revoked',
  413: 'Request body too large',
  415: 'The body is not JSON',
  422: 'Idempotency-Key reused with another request (code: idempotency-key-reused)',
  429: 'Rate limited (Retry-After)',
  503: 'The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed',
};

export interface HeaderDoc {
  description: string;
  schema: Record<string, unknown>;
  required?: boolean;
}

/** Shared response headers, declared once under components.headers (buildOpenApi). */
export const SHARED_HEADERS: Record<string, HeaderDoc> = {
  'WWW-Authenticate': {
    description: 'The scheme to authenticate with (RFC 9110)',
    schema: { type: 'string', enum: ['Bearer'] },
    required: true,
  },
  RetryAfterLimited: {
    description: 'Seconds until the limit lets requests through again',
    schema: { type: 'integer', minimum: 0 },
    required: true,
  },
  RetryAfterUnavailable: {
    description: 'Seconds to wait before retrying (sent with database-unavailable)',
    schema: { type: 'integer', minimum: 0 },
  },
  NoStore: {
    description: 'Answers here may carry secrets: never stored by a cache',
    schema: { type: 'string', enum: ['no-store'] },
    required: true,
  },
};

export const headerRef = (name: keyof typeof SHARED_HEADERS) => ({ $ref: `#/components/headers/${name}` });

/** The headers a problem response carries (set by sendProblem in problem.filter.ts). */
const PROBLEM_HEADERS: Record<number, Record<string, { $ref: string }>> = {
  401: { 'WWW-Authenticate': headerRef('WWW-Authenticate') },
  429: { 'Retry-After': headerRef('RetryAfterLimited') },
  503: { 'Retry-After': headerRef('RetryAfterUnavailable') },
};

/** The problem body: the shared Problem schema. */
export const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

/** One operation: summary, body, success response and the problem responses it can give. */
export function ApiOp(options: {
  summary: string;
  /** Kept stable when a handler moves to another controller (the default is Controller_method). */
  operationId?: string;
  description?: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  ok?: {
    status: number;
    schema?: z.ZodType;
    description?: string;
    /** A text/plain body as well (true: a wg-quick .conf file), or only, with this description. */
    text?: boolean | string;
    headers?: Record<string, HeaderDoc>;
  };
  problems?: number[];
  /** Operation-specific wording of a problem response. */
  problemText?: Record<number, string>;
  /** Operation-specific problem bodies (the Problem with extension members), by status. */
  problemSchema?: Record<number, Record<string, unknown>>;
  auth?: boolean;
  /** Under /v1 every request counts against the per-client rate limit (429). */
  rateLimited?: boolean;
  /** Operations that read or write the database answer 503 database-unavailable when it is away. */
  database?: boolean;
}) {
  const decorators: (MethodDecorator | ClassDecorator)[] = [
    ApiOperation({ summary: options.summary, description: options.description, operationId: options.operationId }),
  ];
  if (options.auth !== false) {
    decorators.push(ApiBearerAuth());
  }
  if (options.body) {
    // A request without a body is read as {} (ZodPipe): the body is optional when {} is valid.
    decorators.push(
      ApiBody({ schema: openApiSchema(options.body, 'input'), required: !options.body.safeParse({}).success }),
    );
  }
  if (options.query) {
    for (const [name, field] of Object.entries(options.query.shape)) {
      const schema = openApiSchema(field as z.ZodType, 'input');
      decorators.push(
        ApiQuery({
          name,
          required: !(field as z.ZodType).safeParse(undefined).success,
          schema,
          description: schema.description as string | undefined,
        }),
      );
    }
  }
  if (options.ok) {
    const content: Record<string, { schema: Record<string, unknown> }> = {};
    if (options.ok.schema) {
      content['application/json'] = { schema: openApiSchema(options.ok.schema) };
    }
    if (options.ok.text) {
      const description = options.ok.text === true ? 'a wg-quick .conf file' : options.ok.text;
      content['text/plain'] = { schema: { type: 'string', description } };
    }
    decorators.push(
      ApiResponse({
        status: options.ok.status,
        description: options.ok.description ?? 'Success',
        ...(Object.keys(content).length > 0 ? { content } : {}),
        ...(options.ok.headers ? { headers: options.ok.headers } : {}),
      }),
    );
  }
  const problems = new Set([
    ...(options.auth === false ? [] : [401, 403]),
    ...(options.body ? [400, 413, 415] : []),
    ...(options.problems ?? []),
    ...(options.rateLimited === false ? [] : [429]),
    ...(options.database === false ? [] : [503]),
  ]);
  for (const status of [...problems].sort()) {
    decorators.push(
      ApiResponse({
        status,
        description: options.problemText?.[status] ?? PROBLEM_TEXT[status] ?? 'Problem',
        content: { 'application/problem+json': { schema: options.problemSchema?.[status] ?? PROBLEM_REF } },
        ...(PROBLEM_HEADERS[status] ? { headers: PROBLEM_HEADERS[status] } : {}),
      }),
    );
  }
  return applyDecorators(...(decorators as MethodDecorator[]));
}

/**
 * Documents the path parameter a custom parameter decorator reads (as @Param would), in the
 * order the handler declares them.
 */
export function ApiPathParam(name: string): ParameterDecorator {
  return (target, key) => {
    if (key !== undefined) {
      ApiParam({ name, required: true, type: String })(target, key, Object.getOwnPropertyDescriptor(target, key)!);
    }
  };
}
