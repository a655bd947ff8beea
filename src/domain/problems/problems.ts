import { PROBLEM_CATALOGUE, problemStatus, type ProblemCode } from './catalogue';

/**
 * An error with a stable machine-readable code from the catalogue. It carries no HTTP status:
 * the ProblemFilter maps the code to one and answers RFC 9457 problem+json. The code is the
 * contract, the detail is for people.
 */
export class DomainError extends Error {
  readonly title: string;

  constructor(
    readonly code: ProblemCode,
    detail?: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail ?? PROBLEM_CATALOGUE[code].title);
    this.title = PROBLEM_CATALOGUE[code].title;
  }

  /** True for a refused credential (the 401 codes): those count against the failure limits. */
  get unauthenticated(): boolean {
    return problemStatus(this.code) === 401;
  }
}

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export type NotFound = 'network' | 'peer' | 'token' | 'enrollment-key' | 'claim' | 'user';

/** The problems several places raise, each written once. */
export const Problems = {
  validation: (errors: readonly FieldProblem[]) =>
    new DomainError('validation-failed', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors }),
  unauthenticated: () => new DomainError('unauthenticated', 'Send Authorization: Bearer <token or enrollment key>.'),
  invalidCredential: () => new DomainError('invalid-credential'),
  forbidden: (detail: string) => new DomainError('forbidden', detail),
  notFound: (what: NotFound) => new DomainError(`${what}-not-found`),
  poolExhausted: () => new DomainError('pool-exhausted', 'Revoke unused peers or widen the network.'),
  addressUnavailable: () => new DomainError('address-unavailable', 'Pick another address or let the service choose.'),
  publicKeyInUse: () => new DomainError('public-key-in-use', 'Make a new key pair for each device.'),
  publicKeyIsHubKey: () =>
    new DomainError('public-key-is-hub-key', "This is the hub's own public key; make a new key pair for the device."),
  hubKeyInUse: (peerId?: string) =>
    new DomainError(
      'hub-key-in-use',
      'A live peer of this network holds this public key.',
      peerId === undefined ? undefined : { peerId },
    ),
  enrollmentKeySpent: (detail?: string) => new DomainError('enrollment-key-spent', detail),
  peerNotLive: (detail: string) => new DomainError('peer-not-live', detail),
} as const;
