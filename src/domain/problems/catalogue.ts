/**
 * Every problem code the API can answer with, its HTTP status and its title. The code is the
 * contract; domain errors name a code only, and the HTTP layer (ProblemFilter, the OpenAPI
 * document) reads the status from here. Kept pure so the pages' scripts can bundle it too.
 */
export const PROBLEM_CATALOGUE = {
  // 400
  'bad-request': { status: 400, title: 'Bad request' },
  'validation-failed': { status: 400, title: 'The request is not valid' },
  'malformed-json': { status: 400, title: 'The body is not valid JSON' },
  'invalid-public-key': { status: 400, title: 'The public key is not a valid X25519 key' },
  'invalid-idempotency-key': { status: 400, title: 'The Idempotency-Key header is not valid' },
  'address-out-of-range': { status: 400, title: 'That address cannot be leased in this network' },
  'setting-not-changeable': { status: 400, title: 'This setting of a network cannot be changed' },
  'sign-in-state-invalid': { status: 400, title: 'This sign-in is unknown, used or expired' },
  'sign-in-failed': { status: 400, title: 'The identity provider did not confirm this sign-in' },
  'authorization-pending': { status: 400, title: 'The sign-in on the other device is not finished yet' },
  'slow-down': { status: 400, title: 'Ask less often: wait five seconds more between polls' },
  'device-login-invalid': { status: 400, title: 'This device login is unknown or has ended' },
  'device-login-expired': { status: 400, title: 'This device login has expired' },
  // 401
  unauthenticated: { status: 401, title: 'Authentication required' },
  'invalid-credential': { status: 401, title: 'Unknown, expired or revoked credential' },
  'enrollment-key-revoked': { status: 401, title: 'This enrollment key was revoked' },
  'enrollment-key-expired': { status: 401, title: 'This enrollment key has expired' },
  'session-expired': { status: 401, title: 'Your session has ended; sign in again' },
  // 403
  forbidden: { status: 403, title: 'Not allowed' },
  'enrollment-key-spent': { status: 403, title: 'This enrollment key has no uses left' },
  'cross-origin-refused': { status: 403, title: 'A request from another site was refused' },
  'csrf-token-invalid': { status: 403, title: 'The CSRF token is missing or wrong' },
  'sign-in-refused': { status: 403, title: 'You may not use this service' },
  'device-login-denied': { status: 403, title: 'The sign-in was denied at the identity provider' },
  'self-service-closed': { status: 403, title: 'This network is not open to self-service' },
  // 404
  'not-found': { status: 404, title: 'Not found' },
  'network-not-found': { status: 404, title: 'No such network' },
  'peer-not-found': { status: 404, title: 'No such peer' },
  'token-not-found': { status: 404, title: 'No such token' },
  'enrollment-key-not-found': { status: 404, title: 'No such enrollment-key' },
  'claim-not-found': { status: 404, title: 'No such claim' },
  'user-not-found': { status: 404, title: 'No such user' },
  'sign-in-not-configured': { status: 404, title: 'Sign-in is not configured here' },
  'device-login-not-offered': { status: 404, title: 'The identity provider offers no device login' },
  // 405, 406
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'not-acceptable': { status: 406, title: 'Not acceptable' },
  // 409
  conflict: { status: 409, title: 'Conflict' },
  'network-exists': { status: 409, title: 'A network with this name exists' },
  'hub-not-registered': { status: 409, title: "The hub's public key is not known yet" },
  'hub-key-change-refused': { status: 409, title: 'The hub already has another key' },
  'pool-exhausted': { status: 409, title: 'No free address is left in this network' },
  'address-unavailable': { status: 409, title: 'That address is taken or cooling down' },
  'public-key-in-use': { status: 409, title: 'This public key belongs to another live peer' },
  'public-key-is-hub-key': { status: 409, title: "This public key is the hub's own" },
  'hub-key-in-use': { status: 409, title: 'This public key belongs to a live peer of the network' },
  'peer-not-live': { status: 409, title: 'The peer is not live' },
  'device-limit-reached': { status: 409, title: 'You have as many devices in this network as allowed' },
  'idempotent-replay': { status: 409, title: 'This request was already carried out' },
  'idempotency-key-busy': { status: 409, title: 'This Idempotency-Key changed meanwhile' },
  // 410
  'config-already-served': { status: 410, title: 'This configuration was already handed out' },
  'peer-revoked': { status: 410, title: 'This peer was revoked' },
  'claim-expired': { status: 410, title: 'This claim link has expired' },
  // 413, 415, 422, 429
  'payload-too-large': { status: 413, title: 'Request body too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'idempotency-key-reused': { status: 422, title: 'This Idempotency-Key was used for another request' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  // 5xx
  'internal-error': { status: 500, title: 'Internal error' },
  'database-unavailable': { status: 503, title: 'The database cannot be reached' },
  'database-lost': { status: 503, title: 'The embedded database of this process is gone' },
  'migrations-pending': { status: 503, title: 'Database migrations are not applied' },
  'web-assets-missing': { status: 503, title: 'The web pages are not built' },
  'service-unavailable': { status: 503, title: 'Service unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEM_CATALOGUE;

export function problemStatus(code: ProblemCode): number {
  return PROBLEM_CATALOGUE[code].status;
}

/** The generic code of an HTTP status (for errors that come with a status only). */
export function codeOfStatus(status: number): ProblemCode | undefined {
  const generic: Partial<Record<number, ProblemCode>> = {
    400: 'bad-request',
    401: 'unauthenticated',
    403: 'forbidden',
    404: 'not-found',
    405: 'method-not-allowed',
    406: 'not-acceptable',
    409: 'conflict',
    413: 'payload-too-large',
    415: 'unsupported-media-type',
    429: 'rate-limited',
    503: 'service-unavailable',
  };
  return generic[status];
}
