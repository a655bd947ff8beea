// The API contract as TypeScript: the types generated from openapi/openapi.json (itself generated
// from the zod schemas) and one typed client factory on openapi-fetch. Pure: no Nest, no Prisma,
// no Node-only module, so the agent, the pages, the tests and the bench all use it.
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './openapi';

export type { components, operations, paths } from './openapi';

/** The client of the JSON answers (a call with `parseAs: 'text'` reads a text/plain config). */
export type ApiClient = Client<paths, 'application/json'>;
export type Problem = components['schemas']['Problem'];

export type HttpMethod = 'get' | 'put' | 'post' | 'patch' | 'delete';
type Operation<P extends keyof paths, M extends HttpMethod> = NonNullable<paths[P][M]>;
type Responses<P extends keyof paths, M extends HttpMethod> =
  Operation<P, M> extends { responses: infer R } ? R : never;
type JsonOf<T> = T extends { content: { 'application/json': infer B } } ? B : never;

/** The JSON body the API answers to `M P` with status `S` (default: its first 2xx). */
export type ResponseBody<
  P extends keyof paths,
  M extends HttpMethod,
  S extends keyof Responses<P, M> = Extract<keyof Responses<P, M>, 200 | 201>,
> = JsonOf<Responses<P, M>[S]>;

/** The JSON request body of `M P`. */
export type RequestBody<P extends keyof paths, M extends HttpMethod> =
  Operation<P, M> extends { requestBody?: infer R } ? JsonOf<NonNullable<R>> : never;

export interface ApiClientOptions {
  /** The service's origin (http://host:port), or '' in a page served by the service itself. */
  readonly baseUrl: string;
  /** Bearer credential: an API token (wgt_…) or an enrollment key (wgk_…). Never put in a URL. */
  readonly credential?: string | null;
  /** Extra headers for every call (a signed-in page sends X-CSRF-Token). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Replaces the global fetch (e.g. to record every answer, or to use a keep-alive agent). */
  readonly fetch?: (request: Request) => Promise<Response>;
  /** Request options for every call (a page sends no cookies and no referrer, caches nothing). */
  readonly init?: {
    readonly credentials?: 'omit' | 'same-origin' | 'include';
    readonly cache?: 'default' | 'no-store' | 'no-cache' | 'reload';
    readonly referrerPolicy?: 'no-referrer' | 'same-origin';
  };
}

/** A typed client of the whole API; every call answers `{ data, error, response }`. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  return createClient<paths, 'application/json'>({
    baseUrl: options.baseUrl,
    headers: {
      Accept: 'application/json',
      ...(options.credential ? { Authorization: `Bearer ${options.credential}` } : {}),
      ...options.headers,
    },
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...options.init,
  });
}

/** The problem+json body of a failed call, when it is one. */
export function asProblem(body: unknown): Problem | undefined {
  return body !== null &&
    typeof body === 'object' &&
    typeof (body as Problem).code === 'string' &&
    typeof (body as Problem).title === 'string'
    ? (body as Problem)
    : undefined;
}

/** What a call of the client resolves. */
export interface Answer<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly response: Response;
}
