// Shared parts of the benchmark suite (`npm run bench`, scripts/bench/run.mjs). Each section is
// its own process (scripts/bench/sections/<name>.mjs) so memory and CPU figures are its own and
// a crash stops one section, not the suite. A section:
//   - takes `--quick` (smoke mode for CI: small counts, seconds not minutes; figures not meaningful),
//   - logs progress to stderr only (use `logger(name)`),
//   - prints ONE JSON document on stdout at the end: `emit({ rows, details })`, where each row is
//     `row({ id, section, metric, value, unit, goal, holds, note })` (see below),
//   - exits non-zero only when it could not measure (not when a goal is missed).
// The runner prints every row as a table and writes docs/benchmarks.md and docs/benchmarks.json.
// @ts-check
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import http from 'node:http';
import { clearTimeout, setTimeout } from 'node:timers';
import { BIN, spawnProcess } from '../lib/process.mjs';
import {
  HUB_KEY,
  createNetwork as createNetworkThrough,
  createToken,
  enrollPeer,
  expectStatus,
} from '../lib/fixtures.mjs';

export { expectStatus, enrollPeer };

const require = createRequire(import.meta.url);

/** The contract's client as built in dist/ (the same module the tests use from src/). */
const contract = /** @type {typeof import('../../src/contract/index.js')} */ (require('../../dist/contract/index.js'));

/**
 * @typedef {import('../../src/contract/index.js').ApiClient & { close(): void }} BenchClient
 * @typedef {{ dataDir: string; databaseUrl: string }} StackLike
 */

export const QUICK = process.argv.includes('--quick');

/** stderr progress lines, prefixed with the section and seconds since start. */
/** @param {string} name */
export function logger(name) {
  const t0 = performance.now();
  return (/** @type {string} */ msg) =>
    process.stderr.write(`[${name} ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}\n`);
}

/**
 * One result row. `goal` is a short text ("≥ 0.9", "≤ 50 ms") or null when the figure is only
 * reported; `holds` is true/false, or null without a goal. `value` is a number (or null when it
 * could not be measured; say why in `note`).
 * @param {{ id: string; section: string; metric: string; value: number | null | undefined; unit?: string; goal?: string | null; holds?: boolean | null; note?: string }} fields
 * @returns {import('./report.mjs').BenchRow}
 */
export function row({ id, section, metric, value, unit = '', goal = null, holds = null, note = '' }) {
  if (typeof id !== 'string' || typeof section !== 'string' || typeof metric !== 'string') {
    throw new Error('row needs id, section and metric');
  }
  const rounded = typeof value === 'number' && Number.isFinite(value) ? Math.round(value * 100) / 100 : null;
  return { id, section, metric, value: rounded, unit, goal, holds, note };
}

/**
 * Runs a section: `main()`, then `cleanup()` whatever happened, then exits — 1 when main threw
 * (the section could not measure), else 0.
 * @param {(msg: string) => void} log
 * @param {() => Promise<void>} main
 * @param {() => Promise<void> | void} cleanup
 */
export async function runSection(log, main, cleanup) {
  let code = 0;
  try {
    await main();
  } catch (error) {
    code = 1;
    log(`failed: ${error instanceof Error ? error.stack : error}`);
  } finally {
    await cleanup();
  }
  process.exit(code);
}

/**
 * Prints the section's result for the runner.
 * @param {{ rows: import('./report.mjs').BenchRow[]; details?: Record<string, unknown> }} result
 */
export function emit(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Every limit off: a benchmark is a trusted bulk client (the list comes from the config schema). */
export const LIMITS_OFF = require('../../dist/config/env.js').NO_RATE_LIMITS;

/**
 * The real service (compiled dist/, in this process) on a fresh embedded Postgres in a temp
 * folder, with an admin token. `env` overrides configuration. `stop()` removes everything.
 * @param {Record<string, string>} [env]
 */
export async function startStack(env = {}) {
  const { serve } = require('../../dist/cli/serve.js');
  const { loadConfig } = require('../../dist/config/env.js');
  const { JsonLogger } = require('../../dist/common/logging/json-logger.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'wg-enroll-bench-'));
  const adminToken = `wgt_${randomBytes(32).toString('base64url')}`;
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'warn',
    DATABASE_POOL_SIZE: '40',
    ADMIN_TOKEN: adminToken,
    HUB_LOCAL: 'false',
    ...LIMITS_OFF,
    ...env,
  });
  const service = await serve(
    config,
    new JsonLogger('warn', (/** @type {string} */ line) => process.stderr.write(`${line}\n`)),
  );
  let stopped = false;
  return {
    url: service.url,
    databaseUrl: service.databaseUrl,
    adminToken,
    dataDir,
    service,
    async stop() {
      if (stopped) return;
      stopped = true;
      /** @type {NodeJS.Timeout | undefined} */
      let timer;
      await Promise.race([service.stop(), new Promise((r) => (timer = setTimeout(r, 30_000)))]);
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The fetch of the bench's clients: each answer read whole over a keep-alive http.Agent with at
 * most `maxSockets` connections, so the client costs the service's loop little and the pool is
 * bounded (Node's global fetch has no per-origin limit without the undici package). Written here
 * because openapi-fetch takes any fetch and no library adapts http.Agent to one.
 * @param {http.Agent} agent
 * @returns {(request: Request) => Promise<Response>}
 */
function agentFetch(agent) {
  return async (request) => {
    const url = new URL(request.url);
    const data = request.body ? Buffer.from(await request.arrayBuffer()) : null;
    /** @type {Record<string, string>} */
    const headers = Object.fromEntries(request.headers);
    if (data) headers['content-length'] = String(data.length);
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, path: url.pathname + url.search, method: request.method, agent, headers },
        (res) => {
          /** @type {Buffer[]} */
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const answer = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) answer.append(name, v);
            }
            const nullBody = status === 204 || status === 304;
            resolve(
              new Response(nullBody ? null : Buffer.concat(chunks), {
                status,
                statusText: res.statusMessage,
                headers: answer,
              }),
            );
          });
        },
      );
      req.setTimeout(120_000, () => req.destroy(new Error('request timed out after 120 s')));
      req.on('error', reject);
      req.end(data ?? undefined);
    });
  };
}

/**
 * The contract's typed client (src/contract, built in dist/) as `token`, on a keep-alive agent;
 * `close()` ends its connections.
 * @param {string} baseUrl
 * @param {string | null} token
 * @returns {BenchClient}
 */
export function makeClient(baseUrl, token, { maxSockets = 64 } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const client = contract.createApiClient({ baseUrl, credential: token, fetch: agentFetch(agent) });
  return Object.assign(client, { close: () => agent.destroy() });
}

/**
 * A network through the API with a made-up hub key (the service normalises the ranges; use the
 * answer's).
 * @param {BenchClient} api an admin's client
 * @param {{ name: string; ipv4Cidr: string; ipv6Cidr?: string | null; hubPublicKey?: string }} network
 */
export function createNetwork(api, { name, ipv4Cidr, ipv6Cidr = null, ...rest }) {
  return createNetworkThrough(api, {
    name,
    ipv4Cidr,
    ...(ipv6Cidr ? { ipv6Cidr } : {}),
    hubPublicKey: HUB_KEY,
    ...rest,
  });
}

/**
 * Runs `total` calls of `task(i)` with `concurrency` workers. `task` resolves true for success.
 * Returns wall seconds, per-call latencies (ms) and counts.
 * @param {{ total: number; concurrency: number; task: (i: number) => Promise<true | string> }} job
 */
export async function drive({ total, concurrency, task }) {
  let next = 0;
  let ok = 0;
  /** @type {number[]} */
  const latencies = [];
  /** @type {Record<string, number>} */
  const errors = {};
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      const start = performance.now();
      let result;
      try {
        result = await task(i);
      } catch (error) {
        const e = /** @type {{ code?: string; message?: string }} */ (error);
        result = `ERR ${e?.code ?? e?.message ?? error}`;
      }
      latencies.push(performance.now() - start);
      if (result === true) ok++;
      else errors[String(result)] = (errors[String(result)] ?? 0) + 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { total, ok, seconds: (performance.now() - started) / 1000, latencies, errors };
}

/**
 * @param {ArrayLike<number> & Iterable<number>} values
 * @param {number} p
 */
export function percentile(values, p) {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** @param {ArrayLike<number> & Iterable<number>} values */
export const median = (values) => percentile(values, 50);

/**
 * Resident set size of a process in MB, from /proc (Linux).
 * @param {number} [pid]
 */
export async function rssMb(pid = process.pid) {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

// ---------------------------------------------------------------------------------------------
// Sections 5–7 (desired state, hub apply, memory): filled networks, agent tokens, child processes.

/** A random X25519-sized public key (32 random bytes, base64): valid for the service and for wg. */
export const randomPublicKey = () => randomBytes(32).toString('base64');

/**
 * The service's secret key (DATA_DIR/secret.key of a startStack() stack).
 * @param {StackLike} stack
 */
export async function secretKeyOf(stack) {
  const { readFile } = await import('node:fs/promises');
  return Buffer.from((await readFile(join(stack.dataDir, 'secret.key'), 'utf8')).trim(), 'base64');
}

/**
 * A network with `count` active peers: one enrollment through the API (it tells the owner id),
 * the rest with the SQL pre-fill (real sealed preshared keys, so the desired state can be
 * served). `hubPublicKey` defaults to createNetwork's fixed key; give an agent's key (hubKeyFor)
 * when a real agent will serve the network. Returns the network as the API answered it.
 * @param {StackLike} stack
 * @param {BenchClient} api an admin's client
 * @param {{ name: string; ipv4Cidr: string; ipv6Cidr?: string | null; count: number; hubPublicKey?: string; log?: (msg: string) => void }} options
 */
export async function filledNetwork(stack, api, { name, ipv4Cidr, ipv6Cidr = null, count, hubPublicKey, log }) {
  const { sqlPrefill } = await import('./sql-prefill.mjs');
  const network = await createNetwork(api, { name, ipv4Cidr, ipv6Cidr, ...(hubPublicKey ? { hubPublicKey } : {}) });
  if (count > 0) {
    const first = await enrollPeer(api, name, { name: 'first', publicKey: randomPublicKey() });
    if (count > 1) {
      const started = performance.now();
      await sqlPrefill({
        databaseUrl: stack.databaseUrl,
        network: { id: network.id, name, ipv4Cidr: network.ipv4Cidr, ipv6Cidr: network.ipv6Cidr },
        count: count - 1,
        ownerId: first.peer.owner,
        secretKey: await secretKeyOf(stack),
      });
      log?.(`${name}: ${count} peers (SQL pre-fill ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    }
  }
  return network;
}

/**
 * The hub key an agent with this config dir and interface will use (created now, 0600, exactly
 * as the agent creates it), so the network can be made with the agent's public key.
 * @param {string} configDir
 * @param {string} iface
 * @returns {Promise<{ privateKey: string; publicKey: string }>}
 */
export async function hubKeyFor(configDir, iface) {
  const { ensureHubKey } = require('../../dist/agent/hub-files.js');
  return ensureHubKey(configDir, iface);
}

/**
 * An agent token of one network (the secret).
 * @param {BenchClient} api an admin's client
 * @param {string} network
 */
export async function agentToken(api, network) {
  return (await createToken(api, { name: `bench-agent-${network}`, role: 'agent', network })).token;
}

/**
 * `node bin/wg-enroll.js <args>` as a child process (the shared spawner, with this process's
 * environment). `onLine(line, stream)` sees every output line (the children log JSON lines).
 * `stop()` sends SIGTERM and waits (SIGKILL after 10 s).
 * @param {string[]} args
 * @param {{ env?: Record<string, string>; onLine?: (line: string, stream: 'stdout' | 'stderr') => void }} [options]
 */
export async function startChild(args, { env = {}, onLine } = {}) {
  return spawnProcess(process.execPath, [BIN, ...args], { env, inheritEnv: true, onLine, keepChars: 16 * 1024 });
}

/**
 * Polls `check()` every `everyMs` until it returns a truthy value (returned) or `timeoutMs` passes.
 * @template T
 * @param {() => Promise<T> | T} check
 * @returns {Promise<NonNullable<T>>}
 */
export async function waitFor(check, { timeoutMs = 60_000, everyMs = 20, what = 'a condition' } = {}) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return /** @type {NonNullable<T>} */ (value);
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * A free TCP port on 127.0.0.1 (for a child API process).
 * @returns {Promise<number>}
 */
export async function freePort() {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/**
 * A second API process, `node bin/wg-enroll.js serve`, on the stack's Postgres (same secret key,
 * limits off, no embedded hub): the service as deployed, with its own heap and CPU, so its RSS
 * and its HTTP answers are measured without the benchmark's own work in the same process.
 * Resolves when /readyz answers 200. `stop()` sends SIGTERM and removes its data dir.
 * @param {StackLike} stack
 * @param {Record<string, string>} [env]
 */
export async function startApiChild(stack, env = {}) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'wg-enroll-bench-api-'));
  /** @type {string[]} */
  const lines = [];
  const child = await startChild(['serve'], {
    env: {
      DATABASE_URL: stack.databaseUrl,
      SECRET_KEY: (await secretKeyOf(stack)).toString('base64'),
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: String(port),
      HUB_LOCAL: 'false',
      LOG_LEVEL: 'warn',
      DATABASE_POOL_SIZE: '40',
      ...LIMITS_OFF,
      ...env,
    },
    onLine: (line) => {
      lines.push(line);
      if (lines.length > 50) lines.shift();
    },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (child.child.exitCode !== null) throw new Error(`API child exited: ${lines.join('\n')}`);
        try {
          return (await fetch(`${url}/readyz`)).status === 200;
        } catch {
          return false;
        }
      },
      { timeoutMs: 60_000, everyMs: 100, what: 'the API child process to be ready' },
    );
  } catch (error) {
    await child.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    pid: child.pid,
    lastLines: lines,
    async stop() {
      await child.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The problem+json body of a failed call of a bench client, when it is one. */
export const asProblem = contract.asProblem;
