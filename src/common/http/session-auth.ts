import type { Principal } from '../../domain/principal/principal';

/**
 * How the global guard authenticates a request that carries no Authorization header but a
 * session cookie. The identity module provides it (when sign-in is configured); the guard knows
 * only this shape, so the tokens module does not depend on the identity module.
 */
export interface SessionAuthenticator {
  /** The principal of the request's session cookie; null when it has none. Throws DomainErrors. */
  authenticate(request: SessionRequest): Promise<Principal | null>;
}

export interface SessionRequest {
  readonly method: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

export const SESSION_AUTHENTICATOR = Symbol('SESSION_AUTHENTICATOR');
