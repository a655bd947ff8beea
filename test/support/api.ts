import { expect } from 'vitest';
import { createEnrollmentKey, createNetwork, createToken, HUB_KEY, claimTokenOf } from '../../scripts/lib/fixtures.mjs';
import { createApiClient, type ApiClient, type RequestBody, type ResponseBody } from '../../src/contract';
import { rememberSecretsIn, type TestApp } from './app';

export {
  claimTokenOf,
  createEnrollmentKey,
  createNetwork,
  createToken,
  enrollPeer,
  expectStatus,
  HUB_KEY,
  redeemClaim,
} from '../../scripts/lib/fixtures.mjs';

/**
 * The contract's typed client (the one API client of every tier) as `credential`, on the
 * service at `baseUrl`; every secret in every answer is remembered for the log scan.
 */
export function apiClient(baseUrl: string, credential: string | undefined): ApiClient {
  return createApiClient({
    baseUrl,
    credential,
    fetch: async (request) => {
      const res = await fetch(request, { signal: AbortSignal.any([request.signal, AbortSignal.timeout(30_000)]) });
      rememberSecretsIn(await res.clone().text());
      return res;
    },
  });
}

/** What an enrollment answers (201), and the same with a claim link (delivery "link"). */
export type Enrolled = ResponseBody<'/v1/networks/{network}/peers', 'post', 201>;
export type EnrolledByLink = Enrolled & { claim: NonNullable<Enrolled['claim']> };
export type DesiredState = ResponseBody<'/v1/networks/{network}/hub/desired-state', 'get'>;
export type NetworkStatus = ResponseBody<'/v1/networks/{network}/status', 'get'>;

/** An answer as the specs read it (the shape supertest gives): status, media type, body, text. */
export interface Sent {
  readonly status: number;
  /** The media type without parameters. */
  readonly type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- probes read problem and success bodies alike
  readonly body: any;
  readonly text: string;
  readonly headers: Record<string, string>;
}

async function sent(call: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<Sent> {
  const { data, error, response } = await call;
  const text = typeof data === 'string' ? data : typeof error === 'string' ? error : JSON.stringify(error ?? data);
  const type = (response.headers.get('content-type') ?? '').split(';')[0].trim();
  return {
    status: response.status,
    type,
    body: type.endsWith('json') && text ? JSON.parse(text) : {},
    text,
    headers: Object.fromEntries(response.headers),
  };
}

/** Small client for the flows the specs repeat; every secret it sees is remembered. */
export class Api {
  /** The admin's client. */
  readonly admin: ApiClient;

  constructor(readonly t: TestApp) {
    this.admin = apiClient(t.url, t.adminToken);
  }

  /** A network with a (made-up) hub key, so enrolling works at once. */
  createNetwork(body: Parameters<typeof createNetwork>[1]) {
    return createNetwork(this.admin, { hubPublicKey: HUB_KEY, ...body });
  }

  /** A network whose hub key an agent will register. */
  createNetworkWithoutHub(body: Parameters<typeof createNetwork>[1]) {
    return createNetwork(this.admin, body);
  }

  async enrollmentKey(network: string, body: Parameters<typeof createEnrollmentKey>[2] = {}): Promise<string> {
    return (await createEnrollmentKey(this.admin, network, body)).key;
  }

  token(role: RequestBody<'/v1/tokens', 'post'>['role'], extra: Partial<RequestBody<'/v1/tokens', 'post'>> = {}) {
    return createToken(this.admin, { name: `${role} token`, role, ...extra });
  }

  /** POST …/peers as `secret`; returns the answer whatever its status (secrets remembered). */
  enroll(network: string, secret: string, body: Record<string, unknown>, accept = 'application/json'): Promise<Sent> {
    return sent(
      apiClient(this.t.url, secret).POST('/v1/networks/{network}/peers', {
        params: { path: { network } },
        body: body as RequestBody<'/v1/networks/{network}/peers', 'post'>,
        headers: { Accept: accept },
        parseAs: 'text',
      }),
    );
  }

  /** Redeems a claim link; returns the answer whatever its status (secrets remembered). */
  claim(url: string, accept = 'application/json'): Promise<Sent> {
    return sent(
      apiClient(this.t.url, undefined).POST('/v1/claims/{claimToken}', {
        params: { path: { claimToken: claimTokenOf(url) } },
        headers: { Accept: accept },
        parseAs: 'text',
      }),
    );
  }
}

export function expectProblem(
  res: { status: number; type: string; body: Record<string, unknown> },
  status: number,
  code: string,
): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.type).toBe('application/problem+json');
  expect(res.body.code).toBe(code);
  expect(res.body.status).toBe(status);
  expect(typeof res.body.title).toBe('string');
  expect(res.body.type).toBe(`urn:wg-enroll:problem:${code}`);
}
