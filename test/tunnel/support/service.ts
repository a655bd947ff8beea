/**
 * The real service on a lab: the API process (`node bin/wg-enroll.js serve`, built in dist/) on a
 * fresh clone of the suite's Postgres, and the hub agent process (`wg-enroll agent`) in the ROOT
 * namespace driving a wireguard-go interface in the hub namespace (wg reaches it through the UAPI
 * socket in /var/run/wireguard, so the agent talks to the API over loopback only).
 *
 * Every process's output goes to LOG_DIR/<name>-<pid>.log, and every secret handled here (admin
 * and agent tokens, enrollment key, claim tokens, private and preshared keys, the hub's key) is
 * remembered, so the suite's log scan covers these processes too.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../../../src/database/embedded-postgres';
import { rememberSecret } from '../../support/app';
import { cloneDatabase } from '../../support/db';
import { LOG_DIR } from '../../support/paths';
import { BIN, spawnProcess, type Spawned } from '../../../scripts/lib/process.mjs';
import type { ApiClient, ResponseBody } from '../../../src/contract';
import {
  apiClient,
  expectStatus,
  createEnrollmentKey,
  createNetwork,
  createToken,
  enrollPeer,
  redeemClaim,
} from '../../support/api';
import { createLab, hubInterface, wgDump, type Lab, type WgDump } from './netns';
import { LIMITS_OFF } from '../../support/limits';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls fn until it returns a value other than undefined/false; throws with `what` after timeoutMs. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  everyMs = 50,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== false) {
        return value;
      }
    } catch (error) {
      last = error;
    }
    if (Date.now() > until) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`,
      );
    }
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Processes

/** A wg-enroll process (the shared spawner) whose output is logged to LOG_DIR/<name>-<pid>.log. */
export type CliProcess = Spawned & { readonly name: string };

const live = new Set<CliProcess>();
process.once('exit', () => {
  for (const p of live) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

export function startCli(name: string, args: string[], env: Record<string, string>): CliProcess {
  let file = '';
  const spawned = spawnProcess(process.execPath, [BIN, ...args], {
    env,
    onData: (chunk) => appendFileSync(file, chunk),
  });
  file = join(LOG_DIR, `${name}-${spawned.pid}.log`);
  const proc: CliProcess = { ...spawned, name };
  live.add(proc);
  void spawned.exited.then(() => live.delete(proc));
  return proc;
}

// ---------------------------------------------------------------------------------------------
// The REST API, as an admin or any other bearer

export type PeerView = ResponseBody<'/v1/peers/{id}', 'get'>;
export type Enrolled = ResponseBody<'/v1/claims/{claimToken}', 'post'>;
export type DesiredState = ResponseBody<'/v1/networks/{network}/hub/desired-state', 'get'>;
export type NetworkStatus = ResponseBody<'/v1/networks/{network}/status', 'get'>;
export type PeerStatus = NetworkStatus['items'][number];

// ---------------------------------------------------------------------------------------------
// The whole stack on one lab

export interface NetworkOptions {
  name: string;
  ipv4Cidr: string;
  ipv6Cidr: string;
  persistentKeepalive: number;
}

/** What a spec may add to the API process: a port fixed in advance and more variables (sign-in). */
export interface StackOptions {
  port?: number;
  apiEnv?: Record<string, string>;
}

export class Stack {
  readonly hubIf: string;
  readonly configDir: string;
  readonly adminToken = `wgt_${randomBytes(32).toString('base64url')}`;

  apiProcess: CliProcess | null = null;
  agent: CliProcess | null = null;
  agentToken = '';
  enrollmentKey = '';
  hubPublicKey = '';
  hubAddresses: string[] = [];
  private port = 0;
  private dataDir = '';
  /** The stack's own database (cloned per stack), for specs that read rows directly. */
  databaseUrl = '';
  private dropDatabase: () => Promise<void> = () => Promise.resolve();
  private readonly secretKey = randomBytes(32).toString('base64');
  /** More environment for the API (sign-in, for one). */
  private counter = 0;

  private constructor(
    readonly lab: Lab,
    readonly network: NetworkOptions,
    private readonly options: StackOptions = {},
  ) {
    this.hubIf = lab.ifname('hub');
    this.configDir = join(lab.workDir, 'agent');
    rememberSecret(this.adminToken);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The API as the admin (the contract's client). */
  get api(): ApiClient {
    return apiClient(this.url, this.adminToken);
  }

  /**
   * Lab, database, API, the network (its endpoint is the hub's underlay address), an agent token,
   * an enrollment key, the hub interface with the network's hub addresses, and the agent, which
   * has registered the hub key when this resolves.
   */
  static async start(
    tag: string,
    nodeCount: number,
    network: NetworkOptions,
    options: StackOptions = {},
  ): Promise<Stack> {
    const lab = await createLab(tag, nodeCount);
    const stack = new Stack(lab, network, options);
    try {
      const db = await cloneDatabase();
      stack.databaseUrl = db.url;
      stack.dropDatabase = db.drop;
      stack.dataDir = join(lab.workDir, 'api');
      stack.port = options.port ?? (await freePort());
      await stack.startApi();
      const created = await createNetwork(stack.api, { ...network, endpoint: `${lab.hubUnderlay}:51820` });
      stack.hubAddresses = created.hubAddresses;
      stack.agentToken = (
        await createToken(stack.api, { name: 'hub agent', role: 'agent', network: network.name })
      ).token;
      stack.enrollmentKey = (
        await createEnrollmentKey(stack.api, network.name, {
          name: 'tunnel nodes',
          maxUses: 1000,
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        })
      ).key;
      await hubInterface(lab, stack.hubIf, stack.hubAddresses);
      stack.startAgent();
      await stack.waitRegistered(30_000);
      // The agent registers its key before its first apply: wait for that too.
      await stack.waitConverged(30_000);
    } catch (error) {
      await stack.destroy().catch(() => undefined);
      throw error;
    }
    return stack;
  }

  /** Starts the API on the stack's port and database; resolves when it listens. */
  async startApi(): Promise<CliProcess> {
    const proc = startCli('api', ['serve'], {
      DATABASE_URL: this.databaseUrl,
      PORT: String(this.port),
      HOST: '127.0.0.1',
      ADMIN_TOKEN: this.adminToken,
      SECRET_KEY: this.secretKey,
      HUB_LOCAL: 'false',
      DATA_DIR: this.dataDir,
      LOG_LEVEL: 'info',
      ...LIMITS_OFF,
      LEASE_COOLDOWN: '1s',
      SWEEP_INTERVAL: '1s',
      ...this.options.apiEnv,
    });
    this.apiProcess = proc;
    const timeout = sleep(60_000).then(() => {
      throw new Error(`API did not listen within 60 s:\n${proc.output()}`);
    });
    await Promise.race([proc.url, timeout]);
    return proc;
  }

  /** Starts the agent process (root namespace, --apply syncconf, reports every second). */
  startAgent(): CliProcess {
    if (this.agent?.running()) {
      throw new Error('an agent is already running');
    }
    this.agent = startCli(
      'agent',
      [
        'agent',
        '--api-url',
        this.url,
        '--token',
        this.agentToken,
        '--network',
        this.network.name,
        '--interface',
        this.hubIf,
        '--config-dir',
        this.configDir,
        '--apply',
        'syncconf',
        '--report-interval',
        '1',
      ],
      { LOG_LEVEL: 'info' },
    );
    return this.agent;
  }

  get hubConfigFile(): string {
    return join(this.configDir, `${this.hubIf}.conf`);
  }

  /** Waits until the network has the hub key the agent made (and remembers that key as a secret). */
  async waitRegistered(timeoutMs: number): Promise<void> {
    await waitFor(
      'the agent to register the hub key',
      async () => {
        const network = await expectStatus(
          200,
          this.api.GET('/v1/networks/{network}', { params: { path: { network: this.network.name } } }),
        );
        if (network.hubPublicKey) {
          this.hubPublicKey = network.hubPublicKey;
          return true;
        }
        return false;
      },
      timeoutMs,
      100,
    );
    rememberSecret((await readFile(join(this.configDir, `${this.hubIf}.key`), 'utf8')).trim());
  }

  /** Enrolls a peer with the enrollment key (as a node would); the config is served inline. */
  async enroll(name = `peer-${++this.counter}`): Promise<Enrolled> {
    const enrolled = await enrollPeer(apiClient(this.url, this.enrollmentKey), this.network.name, { name });
    return { peer: enrolled.peer, config: enrolled.config!, hub: enrolled.hub };
  }

  /** Enrolls with a one-time claim link, and redeems it (the config, exactly once). */
  async enrollByLink(name = `peer-${++this.counter}`): Promise<Enrolled> {
    const { claim } = await enrollPeer(apiClient(this.url, this.enrollmentKey), this.network.name, {
      name,
      delivery: 'link',
    });
    return redeemClaim(apiClient(this.url, undefined), claim!.url);
  }

  revoke(id: string): Promise<PeerView> {
    return expectStatus(200, this.api.DELETE('/v1/peers/{id}', { params: { path: { id } } }));
  }

  async reissue(id: string): Promise<Enrolled> {
    const reissued = await expectStatus(
      201,
      this.api.POST('/v1/peers/{id}/reissue', { params: { path: { id } }, body: {} }),
    );
    return { peer: reissued.peer, config: reissued.config!, hub: reissued.hub };
  }

  async desiredState(): Promise<DesiredState> {
    const state = await expectStatus(
      200,
      this.api.GET('/v1/networks/{network}/hub/desired-state', { params: { path: { network: this.network.name } } }),
    );
    rememberSecret(...state.peers.map((p) => p.presharedKey));
    return state;
  }

  status(): Promise<NetworkStatus> {
    return expectStatus(
      200,
      this.api.GET('/v1/networks/{network}/status', {
        params: { path: { network: this.network.name }, query: { limit: 500 } },
      }),
    );
  }

  hubDump(): Promise<WgDump> {
    return wgDump(this.lab, this.lab.hubNs, this.hubIf);
  }

  async hubKeys(): Promise<Set<string>> {
    return new Set((await this.hubDump()).peers.map((p) => p.publicKey));
  }

  /**
   * Waits until the hub interface has the registered key and exactly the desired state's peers
   * (keys and allowed IPs), and the API says the agent applied the desired revision (inSync);
   * resolves the ms it took.
   */
  async waitConverged(timeoutMs: number): Promise<{ ms: number; revision: string; peers: number }> {
    const started = Date.now();
    return waitFor(
      'the hub to converge on the desired state',
      async () => {
        const desired = await this.desiredState();
        const dump = await this.hubDump();
        if (dump.interface.publicKey !== this.hubPublicKey) {
          return false;
        }
        const want = new Map(desired.peers.map((p) => [p.publicKey, [...p.allowedIps].sort().join(',')]));
        const have = new Map(dump.peers.map((p) => [p.publicKey, [...p.allowedIps].sort().join(',')]));
        if (want.size !== have.size || [...want].some(([key, ips]) => have.get(key) !== ips)) {
          return false;
        }
        const { hub } = await this.status();
        if (!hub.inSync || hub.appliedRevision !== desired.revision || hub.desiredRevision !== desired.revision) {
          return false;
        }
        return { ms: Date.now() - started, revision: desired.revision, peers: want.size };
      },
      timeoutMs,
      100,
    );
  }

  /** Stops the agent and the API, drops the database, destroys the lab. Safe to call twice. */
  async destroy(): Promise<void> {
    const errors: unknown[] = [];
    for (const p of [this.agent, this.apiProcess]) {
      await p?.stop('SIGTERM', 5_000).catch((e: unknown) => errors.push(e));
    }
    await this.dropDatabase().catch((e: unknown) => errors.push(e));
    this.dropDatabase = () => Promise.resolve();
    await this.lab.destroy().catch((e: unknown) => errors.push(e));
    if (errors.length > 0) {
      throw new AggregateError(errors, 'tunnel stack: teardown incomplete');
    }
  }
}
