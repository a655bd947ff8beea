#!/usr/bin/env node
// Lease benchmark (not a test): enrolls through the real service over HTTP (loopback) into a /16
// network at 1% and at 90% pool fill, at concurrency 1 and 32, and reports enrollments/s, the
// 90%/1% ratio (goal: >= 0.9) and p50/p99 latency. Run with `npm run bench:lease` (it builds
// first: this script loads the compiled service from dist/).
//
// Results: a table on stdout and JSON in .test-artifacts/bench/lease.json (gitignored).
//
// Knobs (environment, all optional):
//   BENCH_PREFILL=auto|api|sql   how the 90% network is filled (default auto: through the API at
//                                concurrency 64, switching to SQL if that would take > 180 s)
//   BENCH_PREFILL_BUDGET_S=180   the auto switch-over budget
//   BENCH_N_C1=300 BENCH_N_C32=2000   timed enrollments per phase
//   BENCH_VACUUM=0               skip the VACUUM (ANALYZE) between pre-fill and timing

import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import http from 'node:http';
import { sqlPrefill } from './bench/sql-prefill.mjs';

const require = createRequire(import.meta.url);
const { serve } = require('../dist/cli/serve.js');
const { loadConfig } = require('../dist/config/env.js');
const { JsonLogger } = require('../dist/common/logging/json-logger.js');
const pg = require('pg');

const POOL_SIZE = 65_533; // leasable hosts of a /16: .0.2 .. .255.254 (network, hub .1 and broadcast excluded)
const HUB_PUBLIC_KEY = 'HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=';
const LEVELS = [
  { label: '1%', fill: 0.01, name: 'bench-fill-01', ipv4Cidr: '10.128.0.0/16', ipv6Cidr: 'fd10:128::/64' },
  { label: '90%', fill: 0.9, name: 'bench-fill-90', ipv4Cidr: '10.129.0.0/16', ipv6Cidr: 'fd10:129::/64' },
];
const num = (name, fallback) => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`${name} must be a positive whole number`);
  return Number(v);
};
const PREFILL_MODE = process.env.BENCH_PREFILL || 'auto';
if (!['auto', 'api', 'sql'].includes(PREFILL_MODE)) {
  throw new Error('BENCH_PREFILL must be auto, api or sql');
}
const PREFILL_BUDGET_S = num('BENCH_PREFILL_BUDGET_S', 180);
const PREFILL_CONCURRENCY = 64;
const VACUUM_AFTER_PREFILL = process.env.BENCH_VACUUM !== '0';
// Each timed phase is split into rounds that alternate between the fill levels in ABBA order
// (1%, 90%, 90%, 1%, ...), so that drifting background load hits both levels alike; a level's
// rate is its successful enrollments over its summed round times, latencies are pooled.
const PHASES = [
  { concurrency: 1, warmup: 30, n: num('BENCH_N_C1', 300), rounds: 4 },
  { concurrency: 32, warmup: 320, n: num('BENCH_N_C32', 2000), rounds: 4 },
];
const RESULTS_FILE = fileURLToPath(new URL('../.test-artifacts/bench/lease.json', import.meta.url));

const startedAt = new Date();
const t0 = performance.now();
const elapsed = () => (performance.now() - t0) / 1000;
const log = (msg) => process.stderr.write(`[bench ${elapsed().toFixed(1).padStart(6)}s] ${msg}\n`);

let service = null;
let dataDir = null;
let agent = null;
let db = null;

// ---------------------------------------------------------------------------------------------
// HTTP

function makeClient(baseUrl, token) {
  const url = new URL(baseUrl);
  agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const auth = `Bearer ${token}`;
  return function request(method, path, body) {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path,
          method,
          agent,
          headers: {
            authorization: auth,
            accept: 'application/json',
            ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}),
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
            resolve({ status: res.statusCode, json, text });
          });
        },
      );
      req.setTimeout(60_000, () => req.destroy(new Error('request timed out after 60 s')));
      req.on('error', reject);
      req.end(data ?? undefined);
    });
  };
}

// ---------------------------------------------------------------------------------------------
// Driving enrollments

/**
 * Runs `total` enrollments into `network` with `concurrency` workers; returns wall time,
 * per-request latencies (ms) and a tally of failures by "status code".
 */
async function drive(request, network, { total, concurrency, prefix }) {
  let next = 0;
  let ok = 0;
  const latencies = [];
  const failures = {};
  let owner = null;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      const start = performance.now();
      let res;
      try {
        res = await request('POST', `/v1/networks/${network.name}/peers`, { name: `${prefix}-${i}` });
      } catch (error) {
        res = { status: 'ERR', json: { code: error.code ?? error.message } };
      }
      latencies.push(performance.now() - start);
      if (res.status === 201 && res.json?.peer?.ipv4 && res.json?.config?.text) {
        ok++;
        owner ??= res.json.peer.owner;
      } else {
        const key = `${res.status} ${res.json?.code ?? (res.status === 201 ? 'malformed-201' : 'no-code')}`;
        failures[key] = (failures[key] ?? 0) + 1;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { total, ok, seconds, latencies, failures, owner };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function summarize(run) {
  const sorted = Float64Array.from(run.latencies).sort();
  const round = (x) => Math.round(x * 100) / 100;
  return {
    requests: run.total,
    ok: run.ok,
    failed: run.total - run.ok,
    failures: run.failures,
    seconds: round(run.seconds),
    enrollmentsPerSecond: round(run.ok / run.seconds),
    latencyMs: {
      p50: round(percentile(sorted, 50)),
      p90: round(percentile(sorted, 90)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted[sorted.length - 1]),
      mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    },
  };
}

const failureText = (failures) =>
  Object.entries(failures)
    .map(([k, v]) => `${v}x ${k}`)
    .join(', ') || 'none';

// ---------------------------------------------------------------------------------------------
// Database look-ups (read-only, for fill levels and a final sanity check)

async function liveCount(networkId) {
  const { rows } = await db.query(
    `SELECT count(*)::int AS n FROM peer WHERE network_id = $1 AND status IN ('pending', 'active')`,
    [networkId],
  );
  return rows[0].n;
}

async function sanity(networkId) {
  const { rows } = await db.query(
    `SELECT
       (SELECT count(*)::int FROM peer WHERE network_id = $1 AND status IN ('pending', 'active')) AS live,
       (SELECT count(*)::int FROM lease WHERE network_id = $1 AND released_at IS NULL) AS open_leases,
       (SELECT count(*)::int FROM free_address WHERE network_id = $1) AS free,
       (SELECT count(DISTINCT host_number)::int FROM peer WHERE network_id = $1 AND status IN ('pending', 'active')) AS distinct_hosts,
       (SELECT count(*)::int FROM peer p JOIN free_address f USING (network_id, host_number)
          WHERE p.network_id = $1 AND p.status IN ('pending', 'active')) AS leased_and_free`,
    [networkId],
  );
  const r = rows[0];
  const problems = [];
  if (r.live !== r.open_leases) problems.push(`live peers ${r.live} != open leases ${r.open_leases}`);
  if (r.live + r.free !== POOL_SIZE) problems.push(`live ${r.live} + free ${r.free} != pool ${POOL_SIZE}`);
  if (r.distinct_hosts !== r.live) problems.push(`${r.live - r.distinct_hosts} duplicate host numbers`);
  if (r.leased_and_free !== 0) problems.push(`${r.leased_and_free} hosts both leased and free`);
  return { ...r, ok: problems.length === 0, problems };
}

// ---------------------------------------------------------------------------------------------
// Pre-fill

async function prefill(request, level, owner) {
  const target = Math.round(level.fill * POOL_SIZE);
  const info = { target, viaApi: 0, viaSql: 0, apiSeconds: 0, sqlSeconds: 0, apiFailures: {} };
  const mode = level.fill < 0.05 ? 'api' : PREFILL_MODE;
  const started = performance.now();
  let live = await liveCount(level.id);
  let chunk = 0;
  while (live < target && mode !== 'sql') {
    const spent = (performance.now() - started) / 1000;
    if (mode === 'auto' && info.viaApi > 0) {
      const rate = info.viaApi / info.apiSeconds;
      const projected = spent + (target - live) / rate;
      if (projected > PREFILL_BUDGET_S) {
        log(
          `${level.label}: API pre-fill at ${rate.toFixed(0)}/s would take ~${projected.toFixed(0)} s in all (> ${PREFILL_BUDGET_S} s): filling the rest in SQL`,
        );
        break;
      }
    }
    const n = Math.min(target - live, 4000);
    const run = await drive(request, level, {
      total: n,
      concurrency: PREFILL_CONCURRENCY,
      prefix: `prefill-${chunk++}`,
    });
    info.viaApi += run.ok;
    info.apiSeconds += run.seconds;
    owner ??= run.owner;
    for (const [k, v] of Object.entries(run.failures)) info.apiFailures[k] = (info.apiFailures[k] ?? 0) + v;
    if (run.ok < n * 0.5) {
      throw new Error(
        `pre-fill of ${level.label}: ${n - run.ok} of ${n} enrollments failed (${failureText(run.failures)})`,
      );
    }
    live = await liveCount(level.id);
    log(
      `${level.label}: pre-filled ${live}/${target} via API (${(run.ok / run.seconds).toFixed(0)} enrollments/s at c=${PREFILL_CONCURRENCY})`,
    );
  }
  if (live < target) {
    if (owner === null) throw new Error('no owner id known for the SQL pre-fill');
    const sqlStarted = performance.now();
    let lastLog = 0;
    info.viaSql = await sqlPrefill({
      databaseUrl: service.databaseUrl,
      network: level,
      count: target - live,
      ownerId: owner,
      progress: (done) => {
        if (performance.now() - lastLog > 5000) {
          lastLog = performance.now();
          log(`${level.label}: SQL pre-fill ${done}/${target - live}`);
        }
      },
    });
    info.sqlSeconds = (performance.now() - sqlStarted) / 1000;
    live = await liveCount(level.id);
  }
  info.seconds = (performance.now() - started) / 1000;
  info.live = live;
  info.method = info.viaSql === 0 ? 'api' : info.viaApi === 0 ? 'sql' : 'api+sql';
  log(
    `${level.label}: pre-filled to ${live} (${((100 * live) / POOL_SIZE).toFixed(2)}%) in ${info.seconds.toFixed(1)} s ` +
      `[${info.viaApi} via API, ${info.viaSql} via SQL]`,
  );
  return { info, owner };
}

// ---------------------------------------------------------------------------------------------

async function cleanup() {
  const s = service;
  service = null;
  await db?.end().catch(() => undefined);
  db = null;
  agent?.destroy();
  if (s) {
    await Promise.race([s.stop(), new Promise((r) => setTimeout(r, 30_000))]).catch((error) =>
      log(`stopping the service failed: ${error?.message ?? error}`),
    );
  }
  if (dataDir) {
    rmSync(dataDir, { recursive: true, force: true });
    dataDir = null;
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    cleanup().finally(() => process.exit(130));
  });
}

const pct = (live) => `${((100 * live) / POOL_SIZE).toFixed(1)}%`;
const pad = (s, n) => String(s).padStart(n);

async function main() {
  dataDir = mkdtempSync(join(tmpdir(), 'wg-enroll-bench-'));
  const adminToken = `wgt_${randomBytes(32).toString('base64url')}`; // 43 base64url characters
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'warn',
    DATABASE_POOL_SIZE: '40',
    ADMIN_TOKEN: adminToken,
    // The per-client API rate limit (600/min by default) would answer most of this benchmark's
    // requests with 429: it is off here, as it would be for a trusted bulk client.
    RATE_LIMIT_PER_MINUTE: '0',
    AUTH_FAILURES_PER_MINUTE: '0',
    AUTH_FAILURES_PER_CREDENTIAL: '0',
    RATE_LIMIT_ENROLL_PER_ADDRESS: '0',
    RATE_LIMIT_ENROLL_PER_CREDENTIAL: '0',
    RATE_LIMIT_CLAIM_PER_ADDRESS: '0',
    RATE_LIMIT_CLAIM_PER_TOKEN: '0',
  });
  log(`starting the service (embedded Postgres under ${dataDir})`);
  service = await serve(config, new JsonLogger('warn'));
  const startupSeconds = elapsed();
  log(`service at ${service.url}`);
  db = new pg.Pool({ connectionString: service.databaseUrl, max: 2 });
  const request = makeClient(service.url, adminToken);

  for (const level of LEVELS) {
    const res = await request('POST', '/v1/networks', {
      name: level.name,
      ipv4Cidr: level.ipv4Cidr,
      ipv6Cidr: level.ipv6Cidr,
      endpoint: 'hub.example.org:51820',
      hubPublicKey: HUB_PUBLIC_KEY,
    });
    if (res.status !== 201) {
      throw new Error(`creating network ${level.name}: HTTP ${res.status} ${res.text}`);
    }
    level.id = res.json.id;
    // The service's normalised ranges: the SQL pre-fill derives addresses from them as the service does.
    level.ipv4Cidr = res.json.ipv4Cidr;
    level.ipv6Cidr = res.json.ipv6Cidr;
    const { rows } = await db.query('SELECT count(*)::int AS n FROM free_address WHERE network_id = $1', [level.id]);
    if (rows[0].n !== POOL_SIZE) {
      throw new Error(`network ${level.name}: ${rows[0].n} free addresses after creation, expected ${POOL_SIZE}`);
    }
  }

  // Fill both networks before measuring anything, so that both fill levels are measured against
  // the same state of the shared tables (network, audit_event, ...).
  let owner = null;
  const prefills = {};
  for (const level of LEVELS) {
    const r = await prefill(request, level, owner);
    owner = r.owner;
    prefills[level.label] = r.info;
  }
  // Settle the database before timing: without this, autovacuum of the freshly pre-filled tables
  // and the checkpoint flushing the pre-fill's pages run in the middle of the first timed phases.
  // It gives the steady state of a network that filled up over time (dead rows vacuumed).
  if (VACUUM_AFTER_PREFILL) {
    const vacuumStarted = performance.now();
    await db.query('VACUUM (ANALYZE) free_address, peer, lease, audit_event, network');
    log(`VACUUM (ANALYZE) after pre-fill: ${((performance.now() - vacuumStarted) / 1000).toFixed(1)} s`);
  }
  await db.query('CHECKPOINT');

  const results = [];
  const loadBefore = loadavg();
  for (const phase of PHASES) {
    const c = phase.concurrency;
    const acc = new Map();
    for (const level of LEVELS) {
      const warm = await drive(request, level, { total: phase.warmup, concurrency: c, prefix: `warm-c${c}` });
      acc.set(level, {
        warm,
        liveBefore: await liveCount(level.id),
        total: 0,
        ok: 0,
        seconds: 0,
        latencies: [],
        failures: {},
        rounds: [],
      });
    }
    for (let round = 0; round < phase.rounds; round++) {
      const n = Math.floor(phase.n / phase.rounds) + (round < phase.n % phase.rounds ? 1 : 0);
      const order = round % 2 === 0 ? LEVELS : [...LEVELS].reverse();
      for (const level of order) {
        const a = acc.get(level);
        const run = await drive(request, level, { total: n, concurrency: c, prefix: `timed-c${c}-r${round}` });
        a.total += run.total;
        a.ok += run.ok;
        a.seconds += run.seconds;
        a.latencies.push(...run.latencies);
        for (const [k, v] of Object.entries(run.failures)) a.failures[k] = (a.failures[k] ?? 0) + v;
        a.rounds.push(Math.round((run.ok / run.seconds) * 10) / 10);
      }
    }
    for (const level of LEVELS) {
      const a = acc.get(level);
      const liveAfter = await liveCount(level.id);
      const summary = summarize(a);
      results.push({
        fill: level.label,
        network: level.name,
        concurrency: c,
        warmup: { requests: a.warm.total, ok: a.warm.ok, failures: a.warm.failures },
        fillBefore: a.liveBefore / POOL_SIZE,
        fillAfter: liveAfter / POOL_SIZE,
        ...summary,
        roundRates: a.rounds,
      });
      log(
        `${level.label} c=${c}: ${summary.enrollmentsPerSecond}/s p50 ${summary.latencyMs.p50} ms p99 ${summary.latencyMs.p99} ms ` +
          `(rounds: ${a.rounds.join(', ')}/s; failures: ${failureText(a.failures)}; warm-up failures: ${failureText(a.warm.failures)})`,
      );
    }
  }
  const loadAfter = loadavg();

  const checks = {};
  for (const level of LEVELS) {
    checks[level.label] = await sanity(level.id);
  }

  const ratios = PHASES.map((phase) => {
    const at = (label) => results.find((r) => r.concurrency === phase.concurrency && r.fill === label);
    const ratio = at('90%').enrollmentsPerSecond / at('1%').enrollmentsPerSecond;
    return { concurrency: phase.concurrency, ratio: Math.round(ratio * 1000) / 1000, goal: 0.9, met: ratio >= 0.9 };
  });

  // ----- report
  const lines = [];
  lines.push(
    `wg-enroll lease benchmark: /16 pool (${POOL_SIZE} leasable addresses), POST /v1/networks/{name}/peers over loopback HTTP`,
  );
  lines.push(
    `node ${process.version}, ${cpus().length} CPUs, embedded Postgres, DATABASE_POOL_SIZE=40, RATE_LIMIT_PER_MINUTE=0 (off)` +
      `${VACUUM_AFTER_PREFILL ? ', VACUUM (ANALYZE) + CHECKPOINT after pre-fill' : ', CHECKPOINT after pre-fill'}`,
  );
  for (const level of LEVELS) {
    const p = prefills[level.label];
    const api =
      p.viaApi > 0
        ? `${p.viaApi} via API in ${p.apiSeconds.toFixed(1)} s (${(p.viaApi / p.apiSeconds).toFixed(0)}/s at c=${PREFILL_CONCURRENCY})`
        : '';
    const sql = p.viaSql > 0 ? `${p.viaSql} via SQL in ${p.sqlSeconds.toFixed(1)} s` : '';
    lines.push(`pre-fill ${pad(level.label, 3)}: ${p.live} peers [${[api, sql].filter(Boolean).join(' + ')}]`);
  }
  lines.push('');
  lines.push(' fill  conc      n  fill during timed   enroll/s  (rounds min-max)   p50 ms   p99 ms  failed');
  for (const r of results) {
    lines.push(
      `${pad(r.fill, 5)} ${pad(r.concurrency, 5)} ${pad(r.requests, 6)}  ${pad(`${pct(r.fillBefore * POOL_SIZE)} -> ${pct(r.fillAfter * POOL_SIZE)}`, 17)} ` +
        `${pad(r.enrollmentsPerSecond.toFixed(1), 10)}  ${pad(`${Math.min(...r.roundRates).toFixed(0)}-${Math.max(...r.roundRates).toFixed(0)}`, 16)} ${pad(r.latencyMs.p50.toFixed(1), 8)} ${pad(r.latencyMs.p99.toFixed(1), 8)} ${pad(r.failed, 7)}`,
    );
  }
  lines.push('');
  lines.push(
    `ratio 90%/1% (goal >= 0.9): ` +
      ratios.map((r) => `c=${r.concurrency}: ${r.ratio.toFixed(3)} ${r.met ? '(met)' : '(NOT met)'}`).join('   '),
  );
  const failed = results.filter((r) => r.failed > 0 || Object.keys(r.warmup.failures).length > 0);
  for (const r of failed) {
    lines.push(
      `failures at ${r.fill} c=${r.concurrency}: timed ${failureText(r.failures)}; warm-up ${failureText(r.warmup.failures)}`,
    );
  }
  for (const [label, c] of Object.entries(checks)) {
    if (!c.ok) lines.push(`SANITY CHECK FAILED for ${label}: ${c.problems.join('; ')}`);
  }
  const fmtLoad = (l) => l.map((x) => x.toFixed(2)).join(' ');
  lines.push(
    `load average (1/5/15 min, this benchmark included) before timed phases: ${fmtLoad(loadBefore)}; after: ${fmtLoad(loadAfter)}`,
  );
  const totalSeconds = elapsed();
  lines.push(
    `sanity (live peers = open leases, live + free = pool, no host both leased and free): ${Object.values(checks).every((c) => c.ok) ? 'ok' : 'FAILED'}`,
  );
  lines.push(
    `service start ${startupSeconds.toFixed(1)} s, total ${totalSeconds.toFixed(1)} s; results in ${RESULTS_FILE}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);

  mkdirSync(join(RESULTS_FILE, '..'), { recursive: true });
  writeFileSync(
    RESULTS_FILE,
    `${JSON.stringify(
      {
        benchmark: 'lease',
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        totalSeconds: Math.round(totalSeconds * 10) / 10,
        environment: {
          node: process.version,
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model ?? null,
          platform: process.platform,
          loadAverageBeforeTimed: loadBefore,
          loadAverageAfterTimed: loadAfter,
        },
        settings: {
          poolSize: POOL_SIZE,
          databasePoolSize: 40,
          rateLimitPerMinute: 0,
          prefillMode: PREFILL_MODE,
          prefillConcurrency: PREFILL_CONCURRENCY,
          prefillBudgetSeconds: PREFILL_BUDGET_S,
          vacuumAfterPrefill: VACUUM_AFTER_PREFILL,
          phases: PHASES,
        },
        networks: LEVELS.map(({ label, name, ipv4Cidr, ipv6Cidr, fill }) => ({
          label,
          name,
          ipv4Cidr,
          ipv6Cidr,
          fill,
        })),
        prefill: prefills,
        results,
        ratios,
        sanity: checks,
      },
      null,
      2,
    )}\n`,
  );
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  exitCode = 1;
  process.stderr.write(`bench-lease failed: ${error?.stack ?? error}\n`);
} finally {
  try {
    await cleanup();
  } catch (error) {
    exitCode = 1;
    process.stderr.write(`cleanup failed: ${error?.stack ?? error}\n`);
  }
  process.exit(exitCode);
}
