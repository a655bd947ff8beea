#!/usr/bin/env node
// @ts-check
// Section 5 (issue 6): the hub's desired state at scale.
//
// Three networks (/16 each) with 1k, 10k and 50k active peers (quick: 200, 1k, 2k) in one
// Postgres, served by a real API child process (`wg-enroll serve`, its own heap and CPU). Per
// repetition, interleaved over the sizes so the ratios are side by side:
//   - a change (one enrollment through the API), so the next fetch is cold: the API's
//     per-revision cache is empty for the new revision and the state is read and built anew;
//   - the cold fetch with the network's agent token over HTTP (request → body parsed);
//   - the same fetch again (served from the per-revision cache);
//   - the hub file rendered from that state with the agent's own renderer
//     (dist/domain/render/hub-config.js);
//   - the 304 answer (If-None-Match: "<revision>"), several times.
// The goal row t = cold fetch + render (what the agent pays after a change); medians of the
// repetitions. The cached figures are reported beside it.
//
// Breakdown (details.profile, per size, measured in this process on the same rows): the SQL
// query alone through pg, opening every preshared key (AES-GCM), JSON.stringify of the state.

import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  QUICK,
  agentToken,
  emit,
  enrollPeer,
  expectStatus,
  filledNetwork,
  logger,
  makeClient,
  median,
  randomPublicKey,
  row,
  secretKeyOf,
  startApiChild,
  startStack,
} from '../lib.mjs';

const require = createRequire(import.meta.url);
const { renderHubConfig } = require('../../../dist/domain/render/hub-config.js');
const { SecretBox } = require('../../../dist/domain/keys/secret-box.js');

const SECTION = 'desired-state';
const log = logger(SECTION);
const SIZES = QUICK ? [200, 1000, 2000] : [1000, 10_000, 50_000];
const REPS = QUICK ? 3 : 9;
const REPS_304 = 5;
const label = (/** @type {number} */ n) => (n >= 1000 ? `${n / 1000}k` : String(n));
/** The latest figure of a repetition (every list has one by then). */
const last = (/** @type {number[]} */ xs) => /** @type {number} */ (xs.at(-1));
const HUB_PRIVATE_KEY = 'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=';

/**
 * One network of the section, its agent's client on the API child and its figures (ms).
 * @typedef {{
 *   size: number; name: string; network: Awaited<ReturnType<typeof filledNetwork>>; token: string;
 *   client: import('../lib.mjs').BenchClient;
 *   cold: number[]; cached: number[]; render: number[]; total: number[]; notModified: number[];
 *   peers: number; bytes: number; profile?: Awaited<ReturnType<typeof profile>>;
 * }} Net
 */

/**
 * GET the desired state of `net` with its agent's client; with `revision`, as If-None-Match.
 * @param {{ name: string; client: import('../lib.mjs').BenchClient }} net
 * @param {string} [revision]
 */
const desiredState = (net, revision) =>
  net.client.GET('/v1/networks/{network}/hub/desired-state', {
    params: { path: { network: net.name }, header: revision ? { 'If-None-Match': `"${revision}"` } : {} },
  });

/**
 * @template T
 * @param {() => T | Promise<T>} fn
 * @returns {Promise<{ ms: number; value: T }>}
 */
async function timed(fn) {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/**
 * @param {string} databaseUrl
 * @param {Buffer} secretKey
 * @param {string} networkId
 */
async function profile(databaseUrl, secretKey, networkId) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const sql = `SELECT id::text, name, public_key, preshared_key_enc, ipv4, ipv6 FROM peer
      WHERE network_id = $1::uuid AND status = 'active' AND NOT quarantined ORDER BY id`;
    /** @type {number[]} */
    const sqlMs = [];
    /** @type {{ id: string; name: string; public_key: string; preshared_key_enc: Buffer; ipv4: string; ipv6: string | null }[]} */
    let rows = [];
    for (let i = 0; i < 3; i++) {
      const t = await timed(async () => {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        await client.query('SELECT revision FROM network WHERE id = $1::uuid', [networkId]);
        const r = await client.query(sql, [networkId]);
        await client.query('COMMIT');
        return r.rows;
      });
      sqlMs.push(t.ms);
      rows = t.value;
    }
    const explain = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, [networkId]);
    const box = new SecretBox(secretKey);
    /** @type {number[]} */
    const openMs = [];
    /** @type {{ id: string; name: string; publicKey: string; presharedKey: string; allowedIps: string[] }[]} */
    let peers = [];
    for (let i = 0; i < 3; i++) {
      const t = await timed(() =>
        rows.map((p) => ({
          id: p.id,
          name: p.name,
          publicKey: p.public_key,
          presharedKey: box.open(p.preshared_key_enc, `peer:${p.id}:psk`),
          allowedIps: [`${p.ipv4}/32`, ...(p.ipv6 !== null ? [`${p.ipv6}/128`] : [])],
        })),
      );
      openMs.push(t.ms);
      peers = t.value;
    }
    const state = { network: 'x', revision: '1', interface: { addresses: [], listenPort: 51820 }, peers };
    /** @type {number[]} */
    const stringifyMs = [];
    let bytes = 0;
    for (let i = 0; i < 3; i++) {
      const t = await timed(() => JSON.stringify(state));
      stringifyMs.push(t.ms);
      bytes = t.value.length;
    }
    const plan = explain.rows[0]['QUERY PLAN'][0];
    return {
      sqlMs: median(sqlMs),
      sqlExecutionMs: plan['Execution Time'],
      planTop: plan.Plan['Node Type'],
      openPresharedKeysMs: median(openMs),
      jsonStringifyMs: median(stringifyMs),
      jsonBytes: bytes,
    };
  } finally {
    await client.end();
  }
}

async function main() {
  log(`sizes ${SIZES.join(', ')}; ${REPS} repetitions${QUICK ? ' (quick mode: figures not meaningful)' : ''}`);
  const stack = await startStack();
  /** @type {Awaited<ReturnType<typeof startApiChild>> | null} */
  let api = null;
  /** @type {import('../lib.mjs').BenchClient[]} */
  const clients = [];
  try {
    const admin = makeClient(stack.url, stack.adminToken);
    clients.push(admin);
    /** @type {Net[]} */
    const nets = [];
    for (const [i, size] of SIZES.entries()) {
      const name = `bench-ds-${label(size)}`;
      const network = await filledNetwork(stack, admin, {
        name,
        ipv4Cidr: `10.${140 + i}.0.0/16`,
        ipv6Cidr: `fd10:${140 + i}::/64`,
        count: size,
        log,
      });
      // The client and the figures are set below, once the API child runs.
      nets.push(/** @type {Net} */ ({ size, name, network, token: await agentToken(admin, name) }));
    }
    const secretKey = await secretKeyOf(stack);
    log('starting the API child process');
    api = await startApiChild(stack);
    const adminApi = makeClient(api.url, stack.adminToken);
    clients.push(adminApi);
    for (const net of nets) {
      net.client = makeClient(api.url, net.token, { maxSockets: 1 });
      clients.push(net.client);
      net.cold = [];
      net.cached = [];
      net.render = [];
      net.total = [];
      net.notModified = [];
      net.peers = 0;
      net.bytes = 0;
      // Warm-up: the first fetch also warms code paths; not counted.
      await expectStatus(200, desiredState(net));
    }
    /**
     * @param {Net} net
     * @param {string} [revision]
     */
    const fetchState = async (net, revision) => {
      const t = await timed(() => desiredState(net, revision));
      return { ms: t.ms, res: { status: t.value.response.status, json: t.value.data ?? null } };
    };
    for (let rep = 0; rep < REPS; rep++) {
      for (const net of nets) {
        await enrollPeer(adminApi, net.name, { name: `change-${rep}`, publicKey: randomPublicKey() });
        const cold = await fetchState(net);
        if (cold.res.status !== 200 || cold.res.json === null) {
          throw new Error(`cold fetch ${net.name}: HTTP ${cold.res.status}`);
        }
        const cached = await fetchState(net);
        if (cached.res.status !== 200 || cached.res.json?.revision !== cold.res.json.revision) {
          throw new Error(`cached fetch ${net.name}: HTTP ${cached.res.status}`);
        }
        const state = cold.res.json;
        const render = await timed(() =>
          renderHubConfig({
            privateKey: HUB_PRIVATE_KEY,
            addresses: state.interface.addresses,
            listenPort: state.interface.listenPort,
            network: state.network,
            revision: state.revision,
            peers: state.peers,
          }),
        );
        /** @type {number[]} */
        const notModified = [];
        for (let i = 0; i < REPS_304; i++) {
          const r = await fetchState(net, state.revision);
          if (r.res.status !== 304) throw new Error(`304 expected for ${net.name}, got HTTP ${r.res.status}`);
          notModified.push(r.ms);
        }
        net.cold.push(cold.ms);
        net.cached.push(cached.ms);
        net.render.push(render.ms);
        net.total.push(cold.ms + render.ms);
        net.notModified.push(median(notModified));
        net.peers = state.peers.length;
        net.bytes = JSON.stringify(cold.res.json).length;
      }
      log(
        `rep ${rep + 1}/${REPS}: ` +
          nets
            .map(
              (n) =>
                `${label(n.size)} cold ${last(n.cold).toFixed(1)} cached ${last(n.cached).toFixed(1)} ` +
                `render ${last(n.render).toFixed(1)} 304 ${last(n.notModified).toFixed(2)} ms`,
            )
            .join(' | '),
      );
    }
    log('profiling (SQL, preshared keys, JSON) in this process');
    for (const net of nets) {
      net.profile = await profile(stack.databaseUrl, secretKey, net.network.id);
    }

    const [small, mid, large] = nets;
    const t = (/** @type {Net} */ n) => median(n.total);
    const t304 = (/** @type {Net} */ n) => median(n.notModified);
    /** @type {import('../report.mjs').BenchRow[]} */
    const rows = [];
    const qnote = QUICK ? 'quick mode: sizes 200/1k/2k, not meaningful' : '';
    for (const net of nets) {
      const L = label(net.size);
      rows.push(
        row({
          id: `ds-total-${L}`,
          section: SECTION,
          metric: `desired state cold fetch + hub-file render, ${L} peers`,
          value: t(net),
          unit: 'ms',
          goal: net === mid ? '≤ 50 ms' : null,
          holds: net === mid ? t(net) <= 50 : null,
          note:
            net === mid
              ? qnote ||
                `cold fetch ${median(net.cold).toFixed(0)} ms + render ${median(net.render).toFixed(0)} ms; cold = first fetch after a change (HTTP, agent token, JSON parsed)`
              : '',
        }),
        row({
          id: `ds-cold-${L}`,
          section: SECTION,
          metric: `desired state fetch, cold (after a change), ${L} peers`,
          value: median(net.cold),
          unit: 'ms',
        }),
        row({
          id: `ds-cached-${L}`,
          section: SECTION,
          metric: `desired state fetch, cached revision, ${L} peers`,
          value: median(net.cached),
          unit: 'ms',
        }),
        row({
          id: `ds-render-${L}`,
          section: SECTION,
          metric: `hub-file render (agent renderer), ${L} peers`,
          value: median(net.render),
          unit: 'ms',
        }),
      );
    }
    rows.push(
      row({
        id: 'ds-scale',
        section: SECTION,
        metric: `t(${label(large.size)}) / t(${label(mid.size)}) (cold fetch + render)`,
        value: t(large) / t(mid),
        unit: '×',
        goal: '≤ 6',
        holds: t(large) / t(mid) <= 6,
        note: qnote || `${(large.size / mid.size).toFixed(0)}× the peers`,
      }),
    );
    for (const net of nets) {
      const L = label(net.size);
      rows.push(
        row({
          id: `ds-304-${L}`,
          section: SECTION,
          metric: `304 Not Modified (If-None-Match), ${L} peers`,
          value: t304(net),
          unit: 'ms',
          goal: net === mid ? '≤ 5 ms' : null,
          holds: net === mid ? t304(net) <= 5 : null,
          note: net === mid ? qnote : '',
        }),
      );
    }
    rows.push(
      row({
        id: 'ds-304-scale',
        section: SECTION,
        metric: `t304(${label(large.size)}) / t304(${label(small.size)})`,
        value: t304(large) / t304(small),
        unit: '×',
        goal: '≤ 2',
        holds: t304(large) / t304(small) <= 2,
        note: qnote,
      }),
    );
    emit({
      rows,
      details: {
        repetitions: REPS,
        notModifiedPerRepetition: REPS_304,
        definition:
          't = cold fetch (HTTP GET of the desired state with the agent token right after a change, until the JSON ' +
          'is parsed) + render of the hub file by the agent renderer; medians over repetitions interleaved across sizes; ' +
          'API in its own process (wg-enroll serve) on the same Postgres',
        sizes: nets.map((n) => ({
          peers: n.peers,
          jsonBytes: n.bytes,
          coldMs: n.cold,
          cachedMs: n.cached,
          renderMs: n.render,
          notModifiedMs: n.notModified,
          profile: n.profile,
        })),
      },
    });
  } finally {
    for (const c of clients) c.close();
    await api?.stop();
    await stack.stop();
  }
}

// Exit when done, whatever handle is still open (stdout/stderr are pipes or files: written
// synchronously).
main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
