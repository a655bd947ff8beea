// The pages talk to the same public API as scripts do, with the credential the person typed.

/** An RFC 9457 problem from the API (or a network failure, code "network-error"). */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string | undefined,
    readonly errors: readonly { field: string; message: string }[] = [],
    readonly body: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
  }
}

export interface ApiRequest {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Bearer credential: an API token (wgt_…) or an enrollment key (wgk_…). Never put in a URL. */
  readonly credential?: string;
  readonly body?: unknown;
  readonly signal?: AbortSignal;
}

/** Calls the API; resolves with the JSON body, rejects with ApiProblem. */
export async function api<T>(path: string, request: ApiRequest = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (request.credential) {
    headers.Authorization = `Bearer ${request.credential}`;
  }
  if (request.body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method: request.method ?? 'GET',
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
      signal: request.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') {
      throw error;
    }
    throw new ApiProblem(0, 'network-error', 'The service cannot be reached', 'Check your connection and try again.');
  }
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = {};
  }
  if (!response.ok) {
    throw new ApiProblem(
      response.status,
      typeof body.code === 'string' ? body.code : `http-${response.status}`,
      typeof body.title === 'string' ? body.title : response.statusText,
      typeof body.detail === 'string' ? body.detail : undefined,
      Array.isArray(body.errors) ? (body.errors as { field: string; message: string }[]) : [],
      body,
    );
  }
  return body as T;
}
