#!/usr/bin/env node
// @ts-check
// Status page benchmark (not a test): the real service on a fresh embedded Postgres, N peers
// (default 10,000) put into one network with fast SQL (scripts/bench/sql-prefill.mjs, then
// handshakes, endpoints, bytes, flags and expiries so the table looks like a live VPN), and
// /status opened in headless Debian Chromium (playwright-core). It prints the median time
//   - from clicking "Sign in" until the peers table is drawn,
//   - from a page load with the token already in the tab's session until the table is drawn,
//   - from typing a search until the table shows the server's answer (the page's 250 ms
//     debounce included, as a person experiences it),
// against the goal (< 1 s each), plus EXPLAIN ANALYZE of the status query's name search.
// The page marks each drawing with performance.mark('wg:peers-drawn', {detail: {query}}).
//
//   npm run bench:web                      table on stdout
//   npm run bench:web -- --json            JSON on stdout (issue 6's suite reads it)
//   npm run bench:web -- --peers 50000 --runs 7
//
// Results also go to .test-artifacts/bench/web.json (gitignored). Run with the built dist
// (`npm run bench:web` builds first).

/* global window, document, Event -- used inside page.evaluate(), which runs in the page */
/// <reference lib="dom" />
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { sqlPrefill } from './bench/sql-prefill.mjs';
import { createNetwork, enrollPeer, makeClient, startStack } from './bench/lib.mjs';
import { CHROMIUM_LAUNCH_OPTIONS } from './chromium.mjs';

const require = createRequire(import.meta.url);
const pg = require('pg');
const { chromium } = require('playwright-core');

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    peers: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '5' },
  },
});
const PEERS = Number(args.peers);
const RUNS = Number(args.runs);
if (!Number.isInteger(PEERS) || PEERS < 1 || PEERS > 60_000) {
  throw new Error('--peers must be a whole number from 1 to 60000 (the network is a /16)');
}
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 50) {
  throw new Error('--runs must be a whole number from 1 to 50');
}
const GOAL_MS = 1000;
const NETWORK = { name: 'bench-web', ipv4Cidr: '10.130.0.0/16', ipv6Cidr: 'fd10:130::/64' };
const RESULTS_FILE = fileURLToPath(new URL('../.test-artifacts/bench/web.json', import.meta.url));
const KINDS = ['laptop', 'phone', 'desktop', 'server', 'tablet', 'router', 'build', 'kiosk'];

const t0 = performance.now();
const log = (/** @type {string} */ msg) =>
  process.stderr.write(`[bench:web ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}\n`);

/** @typedef {Awaited<ReturnType<typeof startStack>>} Stack */
/** The running stack (scripts/bench/lib.mjs startStack); set in main() before anything uses it. */
let service = /** @type {Stack | null} */ (null);
/** Set in main() before any query; null until then and after cleanup. */
let db = /** @type {import('pg').Pool | null} */ (null);
/** @type {import('playwright-core').Browser | null} */
let browser = null;

/** The pool main() opened (every query runs after it). */
const database = () => /** @type {import('pg').Pool} */ (db);

/**
 * Names like laptop-00042, handshakes, endpoints, bytes, a few flagged and expiring peers.
 * @param {string} networkId
 */
async function makeRealistic(networkId) {
  const db = database();
  await db.query(
    `WITH numbered AS (
       SELECT id, row_number() OVER (ORDER BY id) AS n FROM peer WHERE network_id = $1
     )
     UPDATE peer p SET
       name = ($2::text[])[1 + (numbered.n % array_length($2::text[], 1))] || '-' || lpad(numbered.n::text, 5, '0'),
       -- 30 % online (handshake < 3 min), 50 % seen earlier (up to 3 days), 20 % never.
       first_handshake_at = CASE WHEN numbered.n % 10 < 8 THEN now() - interval '5 days' END,
       last_handshake_at = CASE
         WHEN numbered.n % 10 < 3 THEN now() - random() * interval '150 seconds'
         WHEN numbered.n % 10 < 8 THEN now() - interval '10 minutes' - random() * interval '3 days'
       END,
       endpoint = CASE WHEN numbered.n % 10 < 8
         THEN '198.51.' || (numbered.n / 250 % 250) || '.' || (numbered.n % 250 + 1) || ':' || (20000 + numbered.n % 40000) END,
       rx_bytes = CASE WHEN numbered.n % 10 < 8 THEN floor(random() * 5e9)::bigint ELSE 0 END,
       tx_bytes = CASE WHEN numbered.n % 10 < 8 THEN floor(random() * 5e8)::bigint ELSE 0 END,
       flagged_at = CASE WHEN numbered.n % 97 = 0 THEN now() - interval '1 hour' END,
       flag_reason = CASE WHEN numbered.n % 97 = 0
         THEN 'one key seen from 203.0.113.7 and 198.51.100.9 in turn: the same config on two machines' END,
       expires_at = CASE
         WHEN numbered.n % 50 = 0 THEN now() + interval '3 days'
         WHEN numbered.n % 7 = 0 THEN now() + interval '90 days'
       END
     FROM numbered WHERE p.id = numbered.id`,
    [networkId, KINDS],
  );
  await db.query(`UPDATE network SET agent_last_seen_at = now(), applied_revision = revision WHERE id = $1`, [
    networkId,
  ]);
  await db.query('VACUUM (ANALYZE) peer');
}

/**
 * EXPLAIN ANALYZE of the status endpoint's peer query (its WHERE, ORDER BY and LIMIT; Prisma's insensitive `contains` is ILIKE).
 * @param {string} networkId
 * @param {string} term
 */
async function explain(networkId, term) {
  /**
   * @param {string} where
   * @param {string[]} params
   */
  const plan = async (where, params) => {
    const { rows } = await database().query(
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)
       SELECT id, name, ipv4, ipv6, public_key, first_handshake_at, last_handshake_at, endpoint, rx_bytes,
              tx_bytes, flagged_at, flag_reason, quarantined, expires_at
       FROM peer WHERE network_id = $1 AND status = 'active' ${where} ORDER BY id ASC LIMIT 51 OFFSET 0`,
      [networkId, ...params],
    );
    const top = rows[0]['QUERY PLAN'][0];
    /** @type {string[]} */
    const nodes = [];
    /** @param {{ 'Node Type': string; 'Index Name'?: string; Plans?: unknown[] }} node */
    const walk = (node) => {
      nodes.push(`${node['Node Type']}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}`);
      for (const child of node.Plans ?? []) {
        walk(/** @type {Parameters<typeof walk>[0]} */ (child));
      }
    };
    walk(top.Plan);
    return {
      executionMs: Math.round(top['Execution Time'] * 100) / 100,
      planningMs: Math.round(top['Planning Time'] * 100) / 100,
      plan: nodes.join(' > '),
      rowsRemovedByFilter: top.Plan.Plans?.[0]?.['Rows Removed by Filter'] ?? top.Plan['Rows Removed by Filter'] ?? 0,
    };
  };
  return {
    firstPage: await plan('', []),
    nameSearch: await plan(`AND name ILIKE $2`, [`%${term}%`]),
    nameSearchNoMatch: await plan(`AND name ILIKE $2`, ['%no-such-peer%']),
  };
}

const median = (/** @type {number[]} */ xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (/** @type {number} */ x) => Math.round(x);

/**
 * The page's globals the benchmark sets (page.evaluate callbacks run in the page).
 * @typedef {Window & { __benchStart?: number }} BenchWindow
 * A drawing mark of the page: performance.mark('wg:peers-drawn', { detail: { query, rows } }).
 * @typedef {PerformanceEntry & { detail?: { query: string; rows: number } }} DrawnMark
 */

/** @param {string} adminToken */
async function measure(adminToken) {
  browser = await chromium.launch({ ...CHROMIUM_LAUNCH_OPTIONS, args: [...CHROMIUM_LAUNCH_OPTIONS.args] });
  /** @type {number[]} */
  const signIn = [];
  /** @type {number[]} */
  const reload = [];
  /** @type {number[]} */
  const search = [];
  /** @type {string[]} */
  const problems = [];
  /**
   * @param {import('playwright-core').Page} page
   * @param {string} query
   */
  const drawn = (page, query) =>
    page.waitForFunction(
      (q) => {
        const since = /** @type {BenchWindow} */ (window).__benchStart ?? 0;
        return performance
          .getEntriesByName('wg:peers-drawn')
          .some((/** @type {DrawnMark} */ m) => m.detail?.query === q && m.startTime > since);
      },
      query,
      { timeout: 30_000, polling: 'raf' },
    );
  /**
   * The latest drawing of `query` (drawn() waited for one).
   * @param {import('playwright-core').Page} page
   * @param {string} query
   * @returns {Promise<{ at: number; rows: number }>}
   */
  const lastMark = (page, query) =>
    /** @type {Promise<{ at: number; rows: number }>} */ (
      page.evaluate(
        (q) =>
          /** @type {DrawnMark[]} */ (performance.getEntriesByName('wg:peers-drawn'))
            .filter((m) => m.detail?.query === q)
            .map((m) => ({ at: m.startTime, rows: /** @type {{ rows: number }} */ (m.detail).rows }))
            .pop(),
        query,
      )
    );
  for (let run = 0; run < RUNS + 1; run++) {
    const warmUp = run === 0; // the first run warms Chromium's caches and the service's JIT: not counted
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(String(error)));
    await page.goto(`${/** @type {Stack} */ (service).url}/status`);
    await page.locator('#token').waitFor({ state: 'visible' });
    await page.fill('#token', adminToken);
    // Sign in: the click and the start time in the same task of the page.
    await page.evaluate(() => {
      /** @type {BenchWindow} */ (window).__benchStart = performance.now();
      /** @type {HTMLElement} */ (document.getElementById('sign-in-button')).click();
    });
    await drawn(page, '');
    const first = await lastMark(page, '');
    const start = await page.evaluate(() => /** @type {number} */ (/** @type {BenchWindow} */ (window).__benchStart));
    if (first.rows < Math.min(50, PEERS)) {
      throw new Error(`the table drew ${first.rows} rows, not a full page of ${NETWORK.name}: wrong network shown?`);
    }
    if (!warmUp) {
      signIn.push(first.at - start);
    }
    // Load with the token in the session: navigation start (time origin 0) to table drawn.
    await page.reload();
    await page.evaluate(() => {
      /** @type {BenchWindow} */ (window).__benchStart = 0;
    });
    await drawn(page, '');
    const loaded = await lastMark(page, '');
    if (!warmUp) {
      reload.push(loaded.at);
    }
    // Search: one peer's exact name (names are kind-NNNNN, see makeRealistic), a different one each run.
    const n = 1 + ((run * 1237) % PEERS);
    const term = `${KINDS[n % KINDS.length]}-${String(n).padStart(5, '0')}`;
    await page.evaluate((q) => {
      const input = /** @type {HTMLInputElement} */ (document.getElementById('search'));
      /** @type {BenchWindow} */ (window).__benchStart = performance.now();
      input.value = q;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }, term);
    await drawn(page, term);
    const answered = await lastMark(page, term);
    const searchStart = await page.evaluate(
      () => /** @type {number} */ (/** @type {BenchWindow} */ (window).__benchStart),
    );
    if (!warmUp) {
      search.push(answered.at - searchStart);
    }
    log(
      `run ${run}${warmUp ? ' (warm-up)' : ''}: sign-in → table ${round(first.at - start)} ms (${first.rows} rows), ` +
        `load → table ${round(loaded.at)} ms, search "${term}" → ${answered.rows} rows in ${round(answered.at - searchStart)} ms`,
    );
    await context.close();
  }
  await browser.close();
  browser = null;
  return { signIn, reload, search, problems };
}

async function cleanup() {
  await browser?.close().catch(() => undefined);
  browser = null;
  await db?.end().catch(() => undefined);
  db = null;
  const s = service;
  service = null;
  await s?.stop().catch(() => undefined);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main() {
  // No embedded hub agent (HUB_LOCAL=false): the peers' handshakes and the agent's health are the seeded ones.
  service = await startStack({ HOST: '127.0.0.1' });
  const adminToken = service.adminToken;
  log(`service at ${service.url} (embedded Postgres under ${service.dataDir})`);
  db = new pg.Pool({ connectionString: service.databaseUrl, max: 2 });
  const admin = makeClient(service.url, adminToken);
  const created = await createNetwork(admin, NETWORK);
  const network = { ...NETWORK, id: created.id, ipv4Cidr: created.ipv4Cidr, ipv6Cidr: created.ipv6Cidr };
  // One enrollment through the API: it tells the owner id the SQL pre-fill records.
  const first = await enrollPeer(admin, NETWORK.name, { name: 'first' });
  admin.close();
  const prefillStart = performance.now();
  if (PEERS > 1) {
    await sqlPrefill({ databaseUrl: service.databaseUrl, network, count: PEERS - 1, ownerId: first.peer.owner });
  }
  await makeRealistic(network.id);
  const prefillSeconds = (performance.now() - prefillStart) / 1000;
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM peer WHERE network_id = $1 AND status = 'active'`, [
    network.id,
  ]);
  log(`${rows[0].n} active peers in ${prefillSeconds.toFixed(1)} s (SQL)`);
  const plans = await explain(network.id, 'laptop-0123');
  log(
    `EXPLAIN ANALYZE: first page ${plans.firstPage.executionMs} ms (${plans.firstPage.plan}); ` +
      `name search ${plans.nameSearch.executionMs} ms (${plans.nameSearch.plan}); ` +
      `no match ${plans.nameSearchNoMatch.executionMs} ms`,
  );

  const loadBefore = loadavg();
  const m = await measure(adminToken);
  const figures = [
    { what: 'sign-in → peers table drawn', samples: m.signIn },
    { what: 'page load (signed in) → peers table drawn', samples: m.reload },
    { what: 'search typed → table answered (250 ms debounce included)', samples: m.search },
  ].map((f) => ({
    ...f,
    samples: f.samples.map(round),
    medianMs: round(median(f.samples)),
    goalMs: GOAL_MS,
    holds: median(f.samples) < GOAL_MS,
  }));
  const result = {
    benchmark: 'web',
    finishedAt: new Date().toISOString(),
    peers: rows[0].n,
    runs: RUNS,
    environment: {
      node: process.version,
      cpus: cpus().length,
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadavg(),
    },
    figures,
    tableDrawnMs: figures[0].medianMs,
    searchAnsweredMs: figures[2].medianMs,
    goalMs: GOAL_MS,
    holds: figures.every((f) => f.holds),
    explain: plans,
    pageErrors: m.problems,
  };
  mkdirSync(join(RESULTS_FILE, '..'), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const lines = [
      `wg-enroll status page benchmark: ${result.peers} peers, headless Chromium, median of ${RUNS} runs (after 1 warm-up)`,
      '',
      `${'measure'.padEnd(58)} ${'median'.padStart(8)}  ${'goal'.padStart(8)}  holds  samples (ms)`,
      ...figures.map(
        (f) =>
          `${f.what.padEnd(58)} ${`${f.medianMs} ms`.padStart(8)}  ${`< ${f.goalMs} ms`.padStart(8)}  ${(f.holds ? 'yes' : 'NO').padEnd(5)}  ${f.samples.join(', ')}`,
      ),
      '',
      `EXPLAIN ANALYZE (status query, ${result.peers} peers): first page ${plans.firstPage.executionMs} ms [${plans.firstPage.plan}]`,
      `  name search "%laptop-0123%" ${plans.nameSearch.executionMs} ms [${plans.nameSearch.plan}], ` +
        `no match ${plans.nameSearchNoMatch.executionMs} ms [${plans.nameSearchNoMatch.plan}]`,
      `load average before/after: ${loadBefore.map((x) => x.toFixed(2)).join(' ')} / ${result.environment.loadAverageAfter.map((x) => x.toFixed(2)).join(' ')}`,
      ...(m.problems.length > 0 ? [`PAGE ERRORS: ${m.problems.join('; ')}`] : []),
      `results in ${RESULTS_FILE}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

let exitCode = 0;
try {
  await main();
} catch (thrown) {
  exitCode = 1;
  const error = /** @type {{ stack?: string } | null | undefined} */ (thrown);
  process.stderr.write(`bench-web failed: ${error?.stack ?? error}\n`);
} finally {
  await cleanup().catch(() => undefined);
  process.exit(exitCode);
}
