import type { DesiredState, HubStatusInput } from '../hub/hub.dto';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** The three calls the agent makes. Nothing in the agent needs the database. */
export class AgentApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly network: string,
    /** Aborts every request in flight when the agent stops. */
    private readonly stop?: AbortSignal,
  ) {}

  private url(path: string): string {
    return `${this.baseUrl.replace(/\/+$/, '')}/v1/networks/${encodeURIComponent(this.network)}${path}`;
  }

  private async call(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; timeoutMs: number },
  ) {
    const res = await fetch(this.url(path), {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: this.stop
        ? AbortSignal.any([this.stop, AbortSignal.timeout(options.timeoutMs)])
        : AbortSignal.timeout(options.timeoutMs),
    });
    if (res.status >= 400) {
      let code: string | undefined;
      let detail = res.statusText;
      try {
        const problem = (await res.json()) as { code?: string; title?: string; detail?: string };
        code = problem.code;
        detail = problem.detail ?? problem.title ?? detail;
      } catch {
        // not a problem body
      }
      throw new ApiError(res.status, code, `${method} ${path}: ${res.status} ${code ?? ''} ${detail}`.trim());
    }
    return res;
  }

  async registerHub(publicKey: string, listenPort?: number): Promise<{ listenPort: number }> {
    const res = await this.call('PUT', '/hub', {
      body: { publicKey, ...(listenPort ? { listenPort } : {}) },
      timeoutMs: 15_000,
    });
    return (await res.json()) as { listenPort: number };
  }

  /** The desired state, or null when it is still the one the agent has (304). */
  async desiredState(knownRevision: string | null, waitS: number): Promise<DesiredState | null> {
    const res = await this.call('GET', `/hub/desired-state${waitS > 0 ? `?wait=${waitS}` : ''}`, {
      headers: knownRevision === null ? {} : { 'If-None-Match': `"${knownRevision}"` },
      timeoutMs: (waitS + 15) * 1000,
    });
    if (res.status === 304) {
      return null;
    }
    return (await res.json()) as DesiredState;
  }

  async reportStatus(status: HubStatusInput): Promise<void> {
    await this.call('POST', '/hub/status', { body: status, timeoutMs: 15_000 });
  }
}
