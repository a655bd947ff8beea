// Shared parts of the benchmark suite (`npm run bench`, scripts/bench/run.mjs). Each section is
// its own process (scripts/bench/sections/<name>.mjs) so memory and CPU figures are its own and
// a crash stops one section, not the suite. A section:
//   - takes `--quick` (smoke mode for CI: small counts, seconds not minutes; figures not meaningful),
//   - logs progress to stderr only (use `logger(name)`),
//   - prints ONE JSON document on stdout at the end: `emit({ rows, details })`, where each row is
//     `row({ id, section, metric, value, unit, goal, holds, note })` (see below),
//   - exits non-zero only when it could not measure (not when a goal is missed).
// The runner prints every row as a table and writes docs/benchmarks.md and docs/benchmarks.json.

import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import http from 'node:http';

const require = createRequire(import.meta.url);

export const QUICK = process.argv.includes('--quick');

/** stderr progress lines, prefixed with the section and seconds since start. */
export function logger(name) {
  const t0 = performance.now();
  return (msg) =>
    process.stderr.write(`[${name} ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}\n`);
}

/**
 * One result row. `goal` is a short text ("≥ 0.9", "≤ 50 ms") or null when the figure is only
 * reported; `holds` is true/false, or null without a goal. `value` is a number (or null when it
 * could not be measured; say why in `note`).
 */
export function row({ id, section, metric, value, unit = '', goal = null, holds = null, note = '' }) {
  if (typeof id !== 'string' || typeof section !== 'string' || typeof metric !== 'string') {
    throw new Error('row needs id, section and metric');
  }
  const rounded = typeof value === 'number' && Number.isFinite(value) ? Math.round(value * 100) / 100 : null;
  return { id, section, metric, value: rounded, unit, goal, holds, note };
}

/** Prints the section's result for the runner. */
export function emit(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Every limit off: a benchmark is a trusted bulk client. */
export const LIMITS_OFF = {
  RATE_LIMIT_PER_MINUTE: '0',
  AUTH_FAILURES_PER_MINUTE: '0',
  AUTH_FAILURES_PER_CREDENTIAL: '0',
  RATE_LIMIT_ENROLL_PER_ADDRESS: '0',
  RATE_LIMIT_ENROLL_PER_CREDENTIAL: '0',
  RATE_LIMIT_CLAIM_PER_ADDRESS: '0',
  RATE_LIMIT_CLAIM_PER_TOKEN: '0',
};

/**
 * The real service (compiled dist/, in this process) on a fresh embedded Postgres in a temp
 * folder, with an admin token. `env` overrides configuration. `stop()` removes everything.
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
  const service = await serve(config, new JsonLogger('warn', (line) => process.stderr.write(`${line}\n`)));
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
      await Promise.race([service.stop(), new Promise((r) => setTimeout(r, 30_000))]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A keep-alive JSON client: `request(method, path, body?, headers?)` resolves
 * `{ status, json, text, headers }` and never rejects on HTTP errors.
 */
export function makeClient(baseUrl, token, { maxSockets = 64 } = {}) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const request = (method, path, body, headers = {}) =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path,
          method,
          agent,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            accept: 'application/json',
            ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json = null;
            try {
              json = text ? JSON.parse(text) : null;
            } catch {
              json = null;
            }
            resolve({ status: res.statusCode, json, text, headers: res.headers });
          });
        },
      );
      req.setTimeout(120_000, () => req.destroy(new Error('request timed out after 120 s')));
      req.on('error', reject);
      req.end(data ?? undefined);
    });
  request.close = () => agent.destroy();
  return request;
}

/** A network through the API (the service normalises the ranges; use the answer's). */
export async function createNetwork(request, { name, ipv4Cidr, ipv6Cidr = null, ...rest }) {
  const res = await request('POST', '/v1/networks', {
    name,
    ipv4Cidr,
    ...(ipv6Cidr ? { ipv6Cidr } : {}),
    endpoint: 'hub.example.org:51820',
    hubPublicKey: 'HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=',
    ...rest,
  });
  if (res.status !== 201) {
    throw new Error(`creating network ${name}: HTTP ${res.status} ${res.text}`);
  }
  return res.json;
}

/**
 * Runs `total` calls of `task(i)` with `concurrency` workers. `task` resolves true for success.
 * Returns wall seconds, per-call latencies (ms) and counts.
 */
export async function drive({ total, concurrency, task }) {
  let next = 0;
  let ok = 0;
  const latencies = [];
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
        result = `ERR ${error?.code ?? error?.message ?? error}`;
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

export function percentile(values, p) {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const median = (values) => percentile(values, 50);

/** Resident set size of a process in MB, from /proc (Linux). */
export async function rssMb(pid = process.pid) {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}
