// The pages talk to the same public API as scripts do, with the credential the person typed,
// through the contract's typed client (src/contract): the answers have the generated types.
import { asProblem, createApiClient, type ApiClient } from '../../../src/contract';

export type { RequestBody, ResponseBody } from '../../../src/contract';

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

/** The typed API client of a page, with `credential` as the bearer (never put in a URL). */
export function api(credential?: string | null): ApiClient {
  return createApiClient({
    baseUrl: '',
    credential,
    init: { credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' },
  });
}

/** Awaits a call of the client: resolves with its JSON body, rejects with ApiProblem. */
export async function answer<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') {
      throw error;
    }
    throw new ApiProblem(0, 'network-error', 'The service cannot be reached', 'Check your connection and try again.');
  }
  const { response } = result;
  if (!response.ok) {
    const problem = asProblem(result.error);
    const body =
      result.error !== null && typeof result.error === 'object' ? (result.error as Record<string, unknown>) : {};
    throw new ApiProblem(
      response.status,
      problem?.code ?? `http-${response.status}`,
      problem?.title ?? response.statusText,
      problem?.detail,
      (problem?.errors ?? []).map((e) => ({ field: e.field ?? '', message: e.message ?? '' })),
      body,
    );
  }
  return result.data as T;
}
