/**
 * Errors with a stable machine-readable code. The DomainErrorFilter turns them into RFC 9457
 * problem responses; the code is the contract, the detail is for people.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail?: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail ?? title);
  }
}

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export const Problems = {
  validation: (errors: readonly FieldProblem[]) =>
    new DomainError(
      400,
      'validation-failed',
      'The request is not valid',
      errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      {
        errors,
      },
    ),
  badRequest: (code: string, title: string, detail?: string, extra?: Record<string, unknown>) =>
    new DomainError(400, code, title, detail, extra),
  unauthenticated: () =>
    new DomainError(
      401,
      'unauthenticated',
      'Authentication required',
      'Send Authorization: Bearer <token or enrollment key>.',
    ),
  invalidCredential: () => new DomainError(401, 'invalid-credential', 'Unknown, expired or revoked credential'),
  forbidden: (detail: string) => new DomainError(403, 'forbidden', 'Not allowed', detail),
  notFound: (what: string) => new DomainError(404, `${what}-not-found`, `No such ${what}`),
  conflict: (code: string, title: string, detail?: string, extra?: Record<string, unknown>) =>
    new DomainError(409, code, title, detail, extra),
  gone: (code: string, title: string, detail?: string, extra?: Record<string, unknown>) =>
    new DomainError(410, code, title, detail, extra),
} as const;
