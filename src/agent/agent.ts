import { createHash, type Hash } from 'node:crypto';
import { join } from 'node:path';
import { hubConfigChunks, type HubConfigInput } from '../domain/render/hub-config';
import { AgentApiClient, ApiError, type DesiredState, type HubStatusInput } from './api-client';
import { EndpointSampler } from './endpoint-sampler';
import { atomicWrite, ensureHubKey, removeStaleTemporaries } from './hub-files';
import { Wg, WgUnavailableError } from './wg';

export type ApplyMode = 'syncconf' | 'none' | 'auto';

export interface AgentOptions {
  readonly apiUrl: string;
  readonly token: string;
  readonly network: string;
  readonly iface: string;
  readonly configDir: string;
  /** syncconf: apply to the interface; none: only write the file; auto: apply where wg and the interface exist. */
  readonly apply: ApplyMode;
  readonly waitS?: number;
  readonly reportIntervalMs?: number;
}

/** A burst of changes within this window after an apply is applied once. */
const COALESCE_MS = 250;
/** The longest wait between two retries (backoff with full jitter). */
const MAX_BACKOFF_MS = 30_000;

export interface AgentLogger {
  log(message: unknown, context?: string): void;
  warn(message: unknown, context?: string): void;
  error(message: unknown, context?: string): void;
}

function* hashed(chunks: Iterable<string>, hash: Hash): Generator<string> {
  for (const chunk of chunks) {
    hash.update(chunk);
    yield chunk;
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * The hub agent: long-poll the desired state → render the hub file (with the key that never
 * leaves this machine) → write it atomically → apply with `wg syncconf` → report. When the API
 * is away the hub is left as it is and the agent retries with backoff and full jitter.
 */
export class HubAgent {
  private readonly client: AgentApiClient;
  private readonly wg = new Wg();
  private readonly stop = new AbortController();
  private privateKey = '';
  private publicKey = '';
  private applied: { revision: string; sha256: string } | null = null;
  private applyError: string | null = null;
  /** Why the last written file was not applied to an interface (null: wg applied it). */
  private notApplied: string | null = null;
  private saidNotApplied = false;
  private lastApplyAt = 0;
  private reporter: NodeJS.Timeout | null = null;
  /** One config on two machines: the interface's endpoints, sampled between reports. */
  private readonly endpoints: EndpointSampler;
  private loop: Promise<void> | null = null;
  /** Hub files written and applies made since start (tests and the benchmark count them). */
  writes = 0;
  applies = 0;

  constructor(
    private readonly options: AgentOptions,
    private readonly logger: AgentLogger,
  ) {
    this.client = new AgentApiClient(options.apiUrl, options.token, options.network, this.stop.signal);
    this.endpoints = new EndpointSampler(this.wg, options.iface, logger, this.stop.signal, {
      applied: () => this.applies > 0,
      report: () => this.report(),
    });
  }

  get configFile(): string {
    return join(this.options.configDir, `${this.options.iface}.conf`);
  }

  get appliedRevision(): string | null {
    return this.applied?.revision ?? null;
  }

  /** Creates or reads the hub key and registers its public key (retrying until the API answers). */
  async register(): Promise<string> {
    const key = await ensureHubKey(this.options.configDir, this.options.iface);
    this.privateKey = key.privateKey;
    this.publicKey = key.publicKey;
    await removeStaleTemporaries(this.options.configDir);
    await this.retrying('register the hub key', () => this.client.registerHub(key.publicKey));
    this.logger.log({
      msg: 'hub key registered',
      network: this.options.network,
      publicKey: key.publicKey,
      keyFile: key.file,
    });
    return key.publicKey;
  }

  start(): void {
    this.loop = this.run();
    const interval = this.options.reportIntervalMs ?? 10_000;
    this.reporter = setInterval(() => void this.report(), interval);
    this.reporter.unref?.();
    if (this.options.apply !== 'none') {
      this.endpoints.start();
    }
  }

  async close(): Promise<void> {
    this.stop.abort();
    if (this.reporter) {
      clearInterval(this.reporter);
    }
    this.endpoints.stop();
    await this.loop;
  }

  private async run(): Promise<void> {
    if (!this.privateKey) {
      await this.register();
    }
    const waitS = this.options.waitS ?? 30;
    while (!this.stop.signal.aborted) {
      await this.retrying('fetch the desired state', async () => {
        const state = await this.client.desiredState(this.applied?.revision ?? null, waitS);
        if (state !== null && !this.stop.signal.aborted) {
          await this.apply(await this.coalesce(state));
        }
      });
    }
  }

  /** Waits out the rest of the coalescing window, then takes whatever is newest by then. */
  private async coalesce(state: DesiredState): Promise<DesiredState> {
    const wait = this.lastApplyAt + COALESCE_MS - Date.now();
    if (wait <= 0) {
      return state;
    }
    await sleep(wait, this.stop.signal);
    return (await this.client.desiredState(state.revision, 0)) ?? state;
  }

  private async apply(state: DesiredState): Promise<void> {
    const input: HubConfigInput = {
      privateKey: this.privateKey,
      addresses: state.interface.addresses,
      listenPort: state.interface.listenPort,
      network: state.network,
      revision: state.revision,
      peers: state.peers,
    };
    // Written as it is rendered, hashed on the way (10k peers: never one 2.4 MB string).
    const hash = createHash('sha256');
    await atomicWrite(this.configFile, hashed(hubConfigChunks(input, 'wg-quick'), hash));
    this.writes++;
    const sha256 = hash.digest('hex');
    this.lastApplyAt = Date.now();
    this.applyError = null;
    this.notApplied =
      this.options.apply === 'none'
        ? 'the agent only writes the hub file (apply mode none); something else applies it'
        : null;
    this.endpoints.keepalive(state.interface.persistentKeepalive ?? 0);
    let how: 'syncconf' | 'delta' | 'file' = 'file';
    if (this.options.apply !== 'none') {
      try {
        await this.wg.check(this.options.iface);
        how = await this.wg.apply(this.options.iface, this.configFile, {
          publicKey: this.publicKey,
          listenPort: state.interface.listenPort,
          peers: state.peers,
          wgConfig: () => hubConfigChunks(input, 'wg'),
        });
        this.applies++;
      } catch (error) {
        if (this.options.apply === 'auto' && error instanceof WgUnavailableError) {
          // The embedded default on a machine without the interface: the file is the product,
          // and the status says it is not applied (nothing can connect through this hub yet).
          this.notApplied = error.message;
          if (!this.saidNotApplied) {
            this.logger.log({ msg: `hub file written, not applied: ${error.message}` });
            this.saidNotApplied = true;
          }
        } else {
          this.applyError = (error as Error).message;
          // Not a crash loop: the file is written, the interface keeps its last state, and the
          // caller retries with backoff.
          await this.report();
          throw new Error(`apply failed; the hub keeps its previous state: ${this.applyError}`);
        }
      }
    }
    this.applied = { revision: state.revision, sha256 };
    this.logger.log({
      msg: 'hub config applied',
      revision: state.revision,
      peers: state.peers.length,
      mode: this.options.apply,
      how,
    });
    await this.report();
  }

  /** What the interface sees, with the applied revision. Failures are logged, not thrown. */
  async report(): Promise<void> {
    if (this.applied === null && this.applyError === null) {
      return;
    }
    let peers: HubStatusInput['peers'] = [];
    const suspected = this.endpoints.pending();
    if (this.options.apply !== 'none') {
      try {
        const dump = await this.wg.dump(this.options.iface);
        peers = dump.peers.map((p) => {
          const hosts = suspected.get(p.publicKey);
          return {
            publicKey: p.publicKey,
            endpoint: p.endpoint,
            latestHandshake: p.latestHandshake,
            rxBytes: p.rxBytes,
            txBytes: p.txBytes,
            ...(hosts ? { duplicateSuspected: { sourceHosts: hosts } } : {}),
          };
        });
      } catch {
        // no interface: nothing to report per peer
      }
    }
    try {
      await this.client.reportStatus({
        appliedRevision: this.applied?.revision ?? '0',
        configSha256: this.applied?.sha256 ?? '0'.repeat(64),
        applyError: this.applyError,
        notApplied: this.notApplied,
        peers,
      });
      this.endpoints.carried(suspected);
    } catch (error) {
      this.logger.warn({ msg: 'status report failed', error: (error as Error).message });
    }
  }

  /** Runs fn until it succeeds or the agent stops; backoff with full jitter, capped. */
  private async retrying<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    let attempt = 0;
    for (;;) {
      try {
        return await fn();
      } catch (error) {
        if (this.stop.signal.aborted) {
          return undefined;
        }
        if (error instanceof ApiError && (error.status === 401 || error.status === 403 || error.status === 404)) {
          this.logger.error({ msg: `cannot ${what}: check the agent token and network`, error: error.message });
        } else if (attempt === 0 || attempt % 10 === 0) {
          this.logger.warn({
            msg: `cannot ${what}; keeping the hub as it is and retrying`,
            error: (error as Error).message,
          });
        }
        const cap = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(attempt, 10));
        attempt++;
        await sleep(Math.random() * cap, this.stop.signal);
      }
    }
  }
}
