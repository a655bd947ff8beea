import * as oidc from 'openid-client';
import type { OidcConfig } from '../config/env';

/**
 * The OpenID Provider as openid-client (a certified relying-party library) sees it. Everything
 * about the protocol — discovery, PKCE, state and nonce checks, the ID token's signature (from
 * the provider's JWKS), issuer, audience and expiry — is openid-client's; this file only passes
 * our configuration in. TLS is Node's (its trust store, plus NODE_EXTRA_CA_CERTS).
 */
export type ProviderConfiguration = oidc.Configuration;

/** Plain http is refused, except for a provider on this machine (development and the tests). */
function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/** Reads the provider's discovery document; a bad or unreachable issuer is one clear sentence. */
export async function discoverProvider(config: OidcConfig): Promise<ProviderConfiguration> {
  const issuer = new URL(config.issuer);
  if (issuer.protocol !== 'https:' && !isLoopbackHttp(issuer)) {
    throw new Error(`OIDC_ISSUER: ${config.issuer} must be https:// (plain http only on 127.0.0.1/localhost)`);
  }
  let provider: ProviderConfiguration;
  try {
    provider = await oidc.discovery(
      issuer,
      config.clientId,
      config.clientSecret === undefined ? undefined : { client_secret: config.clientSecret },
      config.clientSecret === undefined ? oidc.None() : oidc.ClientSecretBasic(config.clientSecret),
      {
        ...(isLoopbackHttp(issuer) ? { execute: [oidc.allowInsecureRequests] } : {}),
        timeout: 10,
      },
    );
  } catch (error) {
    const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : '';
    throw new Error(
      `OIDC_ISSUER: cannot read the provider's discovery document at ${config.issuer.replace(/\/$/, '')}/.well-known/openid-configuration (${cause || String(error)})`,
      { cause: error },
    );
  }
  // The ID token's signature is checked against the provider's JWKS too, not only trusted
  // because it came over TLS from the token endpoint (which openid-client would allow).
  oidc.enableNonRepudiationChecks(provider);
  return provider;
}

export interface AuthorizationRequest {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export async function authorizationRequest(
  provider: ProviderConfiguration,
  redirectUri: string,
  scope: string,
): Promise<AuthorizationRequest> {
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(provider, {
    redirect_uri: redirectUri,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { url, state, nonce, codeVerifier };
}

export interface SignedInClaims {
  subject: string;
  email: string | null;
  name: string | null;
  claims: Record<string, unknown>;
}

/** Redeems the code (PKCE verifier, expected state and nonce) and validates the ID token. */
export async function redeemCode(
  provider: ProviderConfiguration,
  callbackUrl: URL,
  checks: { state: string; nonce: string; codeVerifier: string },
): Promise<SignedInClaims> {
  const tokens = await oidc.authorizationCodeGrant(provider, callbackUrl, {
    pkceCodeVerifier: checks.codeVerifier,
    expectedState: checks.state,
    expectedNonce: checks.nonce,
    idTokenExpected: true,
  });
  return personOf(provider, tokens);
}

/**
 * The person in a token response openid-client has validated (the code flow's, or the device
 * grant's): the ID token's claims, plus the userinfo claims when the provider has a userinfo
 * endpoint (some put groups only there).
 */
export async function personOf(
  provider: ProviderConfiguration,
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
): Promise<SignedInClaims> {
  const idClaims = tokens.claims();
  if (idClaims === undefined) {
    throw new Error('the provider sent no ID token');
  }
  let claims: Record<string, unknown> = { ...idClaims };
  if (provider.serverMetadata().userinfo_endpoint !== undefined) {
    const info = await oidc.fetchUserInfo(provider, tokens.access_token, idClaims.sub);
    claims = { ...info, ...claims };
  }
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 200) : null);
  return {
    subject: idClaims.sub,
    email: text(claims.email),
    name: text(claims.name) ?? text(claims.preferred_username),
    claims,
  };
}

/** Where to send the browser to sign out at the provider too, when it offers it. */
export function endSessionUrl(provider: ProviderConfiguration, postLogoutRedirectUri: string): string | null {
  if (provider.serverMetadata().end_session_endpoint === undefined) {
    return null;
  }
  return oidc
    .buildEndSessionUrl(provider, {
      client_id: provider.clientMetadata().client_id,
      post_logout_redirect_uri: postLogoutRedirectUri,
    })
    .toString();
}

/** The person's groups from the configured claim (an array of strings, or one string). */
export function groupsOf(claims: Record<string, unknown>, claim: string): string[] {
  const value = claims[claim];
  if (typeof value === 'string') {
    return [value];
  }
  return Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string').slice(0, 500) : [];
}
