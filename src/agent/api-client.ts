import { asProblem, createApiClient, type ApiClient, type RequestBody, type ResponseBody } from '../contract';

export type DesiredState = ResponseBody<'/v1/networks/{network}/hub/desired-state', 'get'>;
export type HubStatusInput = RequestBody<'/v1/networks/{network}/hub/status', 'post'>;
export type HubRegistered = ResponseBody<'/v1/networks/{network}/hub', 'put'>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** The three calls the agent makes, on the contract's typed client. Nothing here needs the database. */
export class AgentApiClient {
  private readonly api: ApiClient;

  constructor(
    baseUrl: string,
    token: string,
    private readonly network: string,
    /** Aborts every request in flight when the agent stops. */
    private readonly stop?: AbortSignal,
  ) {
    this.api = createApiClient({ baseUrl: baseUrl.replace(/\/+$/, ''), credential: token });
  }

  private signal(timeoutMs: number): AbortSignal {
    return this.stop ? AbortSignal.any([this.stop, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
  }

  /** Throws ApiError for an answer of 400 or more (with the problem's code and detail). */
  private check(what: string, result: { error?: unknown; response: Response }): void {
    const { response } = result;
    if (response.status >= 400) {
      const problem = asProblem(result.error);
      const detail = problem?.detail ?? problem?.title ?? response.statusText;
      throw new ApiError(
        response.status,
        problem?.code,
        `${what}: ${response.status} ${problem?.code ?? ''} ${detail}`.trim(),
      );
    }
  }

  private get path() {
    return { network: this.network };
  }

  async registerHub(publicKey: string): Promise<HubRegistered> {
    const result = await this.api.PUT('/v1/networks/{network}/hub', {
      params: { path: this.path },
      body: { publicKey },
      signal: this.signal(15_000),
    });
    this.check('PUT /hub', result);
    return result.data!;
  }

  /** The desired state, or null when it is still the one the agent has (304). */
  async desiredState(knownRevision: string | null, waitS: number): Promise<DesiredState | null> {
    const result = await this.api.GET('/v1/networks/{network}/hub/desired-state', {
      params: {
        path: this.path,
        query: waitS > 0 ? { wait: waitS } : {},
        header: knownRevision === null ? {} : { 'If-None-Match': `"${knownRevision}"` },
      },
      signal: this.signal((waitS + 15) * 1000),
    });
    if (result.response.status === 304) {
      return null;
    }
    this.check('GET /hub/desired-state', result);
    return result.data!;
  }

  async reportStatus(status: HubStatusInput): Promise<void> {
    const result = await this.api.POST('/v1/networks/{network}/hub/status', {
      params: { path: this.path },
      body: status,
      signal: this.signal(15_000),
    });
    this.check('POST /hub/status', result);
  }
}
