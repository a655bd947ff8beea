#!/usr/bin/env node
// @ts-check
// Section 6 (issue 6): the hub under a burst of enrollments, and a full `wg syncconf` at 10k.
//
// Part 1 — burst. The API as its own process (`wg-enroll serve` on the stack's Postgres) and the
// real agent as another (`wg-enroll agent --apply none`: it long-polls, coalesces, renders and
// renames <config-dir>/<if>.conf into place, exactly as with an interface, without applying).
// 1,000 enrollments (quick: 200) are sent at once at high concurrency with client-made public
// keys. Counted and timed:
//   - applies: hub files the agent wrote (its "hub config applied" log lines) from the first
//     enrollment until the file holds every burst peer (goal ≤ 20);
//   - commit → applied per peer. "Applied" = the moment this process first reads the renamed
//     hub file containing the peer's public key (fs.watch on the folder plus a 10 ms poll).
//     Commit time is bracketed: it lies after peer.created_at (set inside the enrollment's
//     transaction, before its COMMIT) and before the 201 reaches the client. The goal row uses
//     created_at (the conservative, larger figure); the response-based figure is reported too.
//
// Part 2 — the full apply of 10,000 peers (quick: 500) on a real wireguard-go interface, as root:
// a network namespace wgebench-<pid> with interface wgeb<pid> (wireguard-go -f). Timed as the
// agent does it: render both forms (src/domain/render/hub-config.ts), write the wg-quick file,
// `wg syncconf` on the wg(8) form through the agent's own Wg class (a 0600 temporary file), from
// an empty interface (goal ≤ 1 s), then again with one peer changed; then, for comparison, the
// path it replaced (`wg-quick strip <file>` + `wg syncconf`) with one peer changed. Namespace,
// interface, process and UAPI socket are removed by name in `finally`. Without root or
// wireguard-go the rows are null with the reason.

import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, watch, writeFileSync } from 'node:fs';
import { clearInterval, setInterval } from 'node:timers';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import {
  QUICK,
  agentToken,
  asProblem,
  createNetwork,
  drive,
  emit,
  hubKeyFor,
  logger,
  makeClient,
  percentile,
  randomPublicKey,
  row,
  startApiChild,
  startChild,
  startStack,
  waitFor,
} from '../lib.mjs';

const require = createRequire(import.meta.url);
const { renderHubConfigs } = require('../../../dist/domain/render/hub-config.js');
const { Wg } = require('../../../dist/agent/wg.js');
const run = promisify(execFile);
const BIG = { maxBuffer: 256 * 1024 * 1024 };

const SECTION = 'hub-apply';
const log = logger(SECTION);
const BURST = QUICK ? 200 : 1000;
const CONCURRENCY = 128;
const SYNC_PEERS = QUICK ? 500 : 10_000;
const now = () => performance.timeOrigin + performance.now();
const qnote = QUICK ? 'quick mode: not meaningful' : '';

async function burst() {
  const stack = await startStack();
  const dir = mkdtempSync(join(tmpdir(), 'wg-enroll-bench-agent-'));
  const iface = `wgeb${process.pid}`.slice(0, 15);
  let api = null;
  let agent = null;
  let watcher = null;
  let poller = null;
  const clients = [];
  try {
    const setup = makeClient(stack.url, stack.adminToken);
    clients.push(setup);
    const hubKey = await hubKeyFor(dir, iface);
    const name = 'bench-apply';
    const network = await createNetwork(setup, {
      name,
      ipv4Cidr: '10.150.0.0/16',
      ipv6Cidr: 'fd10:150::/64',
      hubPublicKey: hubKey.publicKey,
    });
    const token = await agentToken(setup, name);
    api = await startApiChild(stack);
    log(`API child pid ${api.pid}; starting the agent (file mode, ${dir})`);

    /** @type {{ at: number; revision: string | undefined; peers: number | undefined }[]} */
    const applied = [];
    agent = await startChild(
      ['agent', '--api-url', api.url, '--network', name, '--interface', iface, '--config-dir', dir, '--apply', 'none'],
      {
        env: { AGENT_TOKEN: token, LOG_LEVEL: 'info', AGENT_REPORT_INTERVAL: '10' },
        onLine: (line) => {
          let entry = null;
          try {
            entry = JSON.parse(line);
          } catch {
            return;
          }
          const msg = entry.msg ?? entry.message?.msg ?? entry.message;
          if (msg === 'hub config applied') {
            applied.push({
              at: now(),
              revision: entry.revision ?? entry.message?.revision,
              peers: entry.peers ?? entry.message?.peers,
            });
          } else if (entry.level === 'error' || entry.level === 'warn') {
            log(`agent: ${line}`);
          }
        },
      },
    );
    const file = join(dir, `${iface}.conf`);
    const seenAt = new Map();
    let lastText = '';
    const scan = async () => {
      let text;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        return;
      }
      if (text === lastText) return;
      lastText = text;
      const at = now();
      for (const m of text.matchAll(/^PublicKey = (\S+)$/gm)) {
        if (!seenAt.has(m[1])) seenAt.set(m[1], at);
      }
    };
    watcher = watch(dir, () => void scan());
    poller = setInterval(() => void scan(), 10);
    await waitFor(() => existsSync(file) && applied.length > 0, {
      timeoutMs: 60_000,
      what: 'the agent to write its first hub file',
    });
    await new Promise((r) => setTimeout(r, 1000));
    const appliedBefore = applied.length;

    const keys = Array.from({ length: BURST }, () => randomPublicKey());
    const responseAt = new Map();
    const enroll = makeClient(api.url, stack.adminToken, { maxSockets: CONCURRENCY });
    clients.push(enroll);
    log(`burst: ${BURST} enrollments at concurrency ${CONCURRENCY}`);
    const burstStart = now();
    const result = await drive({
      total: BURST,
      concurrency: CONCURRENCY,
      task: async (i) => {
        const { data, error, response } = await enroll.POST('/v1/networks/{network}/peers', {
          params: { path: { network: name } },
          body: { name: `burst-${i}`, publicKey: keys[i] },
        });
        if (response.status !== 201) return `HTTP ${response.status} ${asProblem(error)?.code ?? ''}`;
        // The service stores keys in their canonical form (RFC 7748 top bit clear): track that one.
        // A 201 carries the enrollment.
        responseAt.set(/** @type {NonNullable<typeof data>} */ (data).peer.publicKey, now());
        return true;
      },
    });
    const burstEnd = now();
    log(`burst done: ${result.ok}/${BURST} in ${result.seconds.toFixed(2)} s ${JSON.stringify(result.errors)}`);
    if (result.ok === 0) throw new Error(`no enrollment succeeded: ${JSON.stringify(result.errors)}`);
    const enrolled = [...responseAt.keys()];
    await waitFor(() => enrolled.every((k) => seenAt.has(k)), {
      timeoutMs: 60_000,
      everyMs: 10,
      what: 'every burst peer in the hub file',
    });
    const allSeen = Math.max(...enrolled.map((k) => seenAt.get(k)));
    const applies = applied.filter((a) => a.at >= burstStart && a.at <= allSeen + 5).length;
    log(
      `hub file holds all ${enrolled.length} peers ${(allSeen - burstEnd).toFixed(0)} ms after the last response; ${applies} applies (${applied.length - appliedBefore} since the burst)`,
    );

    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    const { rows } = await db.query(
      `SELECT public_key, extract(epoch FROM created_at)::float8 * 1000 AS created_ms FROM peer WHERE network_id = $1::uuid`,
      [network.id],
    );
    await db.end();
    const createdAt = new Map(rows.map((r) => [r.public_key, r.created_ms]));
    const fromCreated = enrolled.map((k) => seenAt.get(k) - createdAt.get(k));
    const fromResponse = enrolled.map((k) => seenAt.get(k) - responseAt.get(k));
    const latencies = result.latencies;
    return {
      rows: [
        row({
          id: 'apply-burst-rate',
          section: SECTION,
          metric: `burst: ${enrolled.length} enrollments at concurrency ${CONCURRENCY}, wall time`,
          value: result.seconds,
          unit: 's',
          note: `${(enrolled.length / result.seconds).toFixed(0)} enrollments/s; issue asks "within about a second"${qnote ? `; ${qnote}` : ''}`,
        }),
        row({
          id: 'apply-count',
          section: SECTION,
          metric: `hub files the agent wrote for the burst`,
          value: applies,
          unit: 'applies',
          goal: '≤ 20',
          holds: applies <= 20,
          note: qnote || 'agent in file mode (--apply none): one apply = one hub file renamed into place',
        }),
        row({
          id: 'apply-p50',
          section: SECTION,
          metric: 'commit → peer in hub file, p50 (from peer.created_at)',
          value: percentile(fromCreated, 50),
          unit: 'ms',
        }),
        row({
          id: 'apply-p99',
          section: SECTION,
          metric: 'commit → peer in hub file, p99 (from peer.created_at)',
          value: percentile(fromCreated, 99),
          unit: 'ms',
          goal: '≤ 1000 ms',
          holds: percentile(fromCreated, 99) <= 1000,
          note:
            qnote ||
            `created_at is before COMMIT: an upper bound` +
              (percentile(fromCreated, 99) > 1000
                ? `; the API took ${result.seconds.toFixed(1)} s for the burst and the agent's fetches waited behind it (see details.burst.why)`
                : ''),
        }),
        row({
          id: 'apply-p99-response',
          section: SECTION,
          metric: 'enrollment response → peer in hub file, p99',
          value: percentile(fromResponse, 99),
          unit: 'ms',
          note: 'the response comes after COMMIT: a lower bound',
        }),
      ],
      details: {
        burst: {
          enrollments: BURST,
          ok: result.ok,
          errors: result.errors,
          concurrency: CONCURRENCY,
          seconds: result.seconds,
          enrollLatencyP50Ms: percentile(latencies, 50),
          enrollLatencyP99Ms: percentile(latencies, 99),
          applies,
          appliedRevisions: applied
            .filter((a) => a.at >= burstStart)
            .map((a) => ({
              msAfterBurstStart: Math.round(a.at - burstStart),
              revision: a.revision,
              peers: a.peers,
            })),
          commitToAppliedMs: {
            fromCreatedAt: {
              p50: percentile(fromCreated, 50),
              p99: percentile(fromCreated, 99),
              max: Math.max(...fromCreated),
            },
            fromResponse: {
              p50: percentile(fromResponse, 50),
              p99: percentile(fromResponse, 99),
              max: Math.max(...fromResponse),
            },
          },
          lastPeerInFileAfterLastResponseMs: allSeen - burstEnd,
          why:
            'Each apply follows one desired-state fetch; during the burst the API process is saturated (every ' +
            'enrollment is an interactive transaction on the shared connection pool, ~90-170/s on this 2-core machine), ' +
            'so the agent long-poll answer and its re-read queue behind up to 128 enrollments for the event loop and the ' +
            'pool: appliedRevisions shows the gaps. What would move it: a reserved connection (or small pool) for the hub ' +
            'reads so they never queue behind enrollments, bounded enrollment concurrency in front of the pool, and fewer ' +
            'round trips per enrollment (issue 2 note: Prisma interactive transaction ~1.9 ms vs 0.85 ms bare pg).',
          definition:
            'applied = first read (fs.watch + 10 ms poll) of the renamed hub file holding the key; commit between ' +
            'peer.created_at (inside the transaction) and the 201 response',
        },
      },
    };
  } finally {
    watcher?.close();
    if (poller) clearInterval(poller);
    for (const c of clients) c.close();
    await agent?.stop();
    await api?.stop();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// wg syncconf on a real wireguard-go interface

const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];
const PATH = [...new Set([...(process.env.PATH ?? '').split(':').filter(Boolean), ...SBIN])].join(':');
const ENV = { ...process.env, PATH, LC_ALL: 'C' };

/** @param {string} name */
function which(name) {
  for (const d of PATH.split(':')) {
    try {
      accessSync(join(d, name), constants.X_OK);
      return join(d, name);
    } catch {
      // not here
    }
  }
  return null;
}

function whyNoInterface() {
  const reasons = [];
  if (process.platform !== 'linux') reasons.push('not Linux');
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) reasons.push('not root');
  if (!existsSync('/dev/net/tun')) reasons.push('no /dev/net/tun');
  const missing = ['ip', 'wireguard-go', 'wg', 'wg-quick'].filter((t) => which(t) === null);
  if (missing.length) reasons.push(`missing ${missing.join(', ')}`);
  return reasons.length ? reasons.join('; ') : null;
}

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {Omit<import('node:child_process').ExecFileOptions, 'encoding'>} [opts]
 */
const sh = (cmd, args, opts = {}) => run(cmd, args, { env: ENV, ...BIG, ...opts });

const FULL_GOAL_MS = 1000;
const FULL_METRIC = `full apply (render + write + wg syncconf), ${SYNC_PEERS} peers from empty (wireguard-go)`;

/** The syncconf rows without a figure, saying why. */
const syncconfNullRows = (/** @type {string} */ why) => [
  row({
    id: 'syncconf-full',
    section: SECTION,
    metric: FULL_METRIC,
    value: null,
    unit: 'ms',
    goal: `≤ ${FULL_GOAL_MS} ms`,
    holds: null,
    note: why,
  }),
  ...[
    ['syncconf-one', `full apply, ${SYNC_PEERS} peers, one changed`],
    ['syncconf-strip-one', `before: wg-quick strip + wg syncconf, ${SYNC_PEERS} peers, one changed`],
  ].map(([id, metric]) => row({ id, section: SECTION, metric, value: null, unit: 'ms', note: why })),
];

async function syncconfBench() {
  const why = whyNoInterface();
  if (why) {
    log(`syncconf: skipped (${why})`);
    return { rows: syncconfNullRows(`not measured: ${why}`), details: { syncconf: { skipped: why } } };
  }
  const ns = `wgebench-${process.pid}`;
  const ifname = `wgeb${process.pid}`.slice(0, 15);
  const dir = mkdtempSync(join(tmpdir(), 'wg-enroll-bench-wg-'));
  const socket = `/var/run/wireguard/${ifname}.sock`;
  /** @type {import('node:child_process').ChildProcessByStdio<null, null, import('node:stream').Readable> | null} */
  let wggo = null;
  try {
    if (existsSync(socket)) throw new Error(`${socket} exists already: another interface has this name`);
    await sh('ip', ['netns', 'add', ns]);
    const child = spawn('ip', ['netns', 'exec', ns, 'wireguard-go', '-f', ifname], {
      env: ENV,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    wggo = child;
    let wgErr = '';
    child.stderr.on('data', (d) => (wgErr += d));
    const wgInNs = (/** @type {string[]} */ args) => sh('ip', ['netns', 'exec', ns, 'wg', ...args]);
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`wireguard-go exited: ${wgErr}`);
        try {
          await wgInNs(['show', ifname, 'public-key']);
          return true;
        } catch {
          return false;
        }
      },
      { timeoutMs: 15_000, everyMs: 50, what: 'wireguard-go to create the interface' },
    );
    const { stdout: privateKey } = await sh('wg', ['genkey']);
    const peers = Array.from({ length: SYNC_PEERS }, (_, i) => ({
      name: `peer-${i}`,
      publicKey: randomPublicKey(),
      presharedKey: randomBytes(32).toString('base64'),
      allowedIps: [`10.${151 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32`, `fd10:151::${(i + 1).toString(16)}/128`],
    }));
    const file = join(dir, `${ifname}.conf`);
    const wg = new Wg();
    const render = () =>
      renderHubConfigs({
        privateKey: privateKey.trim(),
        addresses: ['10.151.0.1/16', 'fd10:151::1/64'],
        listenPort: 51820,
        network: 'bench-syncconf',
        revision: '1',
        peers,
      });
    const listed = async () => (await wgInNs(['show', ifname, 'peers'])).stdout;
    /** What the agent does on a full apply: both forms, the wg-quick file, syncconf on the wg form. */
    const fullApply = async () => {
      const t0 = performance.now();
      const texts = render();
      writeFileSync(file, texts.wgQuick, { mode: 0o600 });
      const t1 = performance.now();
      await wg.syncconf(ifname, file, texts.wg);
      const t2 = performance.now();
      const keys = await listed();
      return { totalMs: t2 - t0, renderMs: t1 - t0, syncconfMs: t2 - t1, peersOnInterface: count(keys), listed: keys };
    };
    /** The path it replaced: wg-quick strip on the file, then syncconf. */
    const stripApply = async () => {
      const t0 = performance.now();
      writeFileSync(file, render().wgQuick, { mode: 0o600 });
      const { stdout } = await sh('wg-quick', ['strip', file]);
      const stripped = join(dir, 'stripped.conf');
      writeFileSync(stripped, stdout, { mode: 0o600 });
      const t1 = performance.now();
      await wgInNs(['syncconf', ifname, stripped]);
      const t2 = performance.now();
      const keys = await listed();
      return { totalMs: t2 - t0, stripMs: t1 - t0, syncconfMs: t2 - t1, peersOnInterface: count(keys), listed: keys };
    };
    const count = (/** @type {string} */ keys) => keys.split('\n').filter(Boolean).length;
    const changeOne = () => {
      const i = SYNC_PEERS >> 1;
      const oldKey = peers[i].publicKey;
      peers[i] = { ...peers[i], publicKey: randomPublicKey() };
      return { oldKey, newKey: peers[i].publicKey };
    };
    /**
     * @param {{ peersOnInterface: number; listed: string }} result
     * @param {{ oldKey: string; newKey: string }} change
     */
    const expectChanged = (result, { oldKey, newKey }) => {
      if (result.peersOnInterface !== SYNC_PEERS || !result.listed.includes(newKey) || result.listed.includes(oldKey)) {
        throw new Error('the changed peer is not on the interface after syncconf');
      }
    };
    log(`full apply: ${SYNC_PEERS} peers onto ${ifname} in ${ns}`);
    const full = await fullApply();
    if (full.peersOnInterface !== SYNC_PEERS)
      throw new Error(`interface has ${full.peersOnInterface} peers, ${SYNC_PEERS} expected`);
    const change1 = changeOne();
    const one = await fullApply();
    expectChanged(one, change1);
    const change2 = changeOne();
    const before = await stripApply();
    expectChanged(before, change2);
    log(
      `full apply ${full.totalMs.toFixed(0)} ms, one changed ${one.totalMs.toFixed(0)} ms; ` +
        `wg-quick strip path, one changed ${before.totalMs.toFixed(0)} ms`,
    );
    const { stdout: version } = await sh('wireguard-go', ['--version']).catch(() => ({ stdout: '' }));
    const strip = (/** @type {object} */ result) => ({ ...result, listed: undefined });
    return {
      rows: [
        row({
          id: 'syncconf-full',
          section: SECTION,
          metric: FULL_METRIC,
          value: full.totalMs,
          unit: 'ms',
          goal: `≤ ${FULL_GOAL_MS} ms`,
          holds: full.totalMs <= FULL_GOAL_MS,
          note:
            qnote ||
            `render both forms + write ${full.renderMs.toFixed(0)} ms + wg syncconf ${full.syncconfMs.toFixed(0)} ms (no wg-quick strip)` +
              (full.totalMs > FULL_GOAL_MS
                ? `; missed: nearly all of it is wireguard-go taking 10k new peers through its UAPI socket (wg syncconf), ` +
                  `on a machine with load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores when measured`
                : ''),
        }),
        row({
          id: 'syncconf-one',
          section: SECTION,
          metric: `full apply, ${SYNC_PEERS} peers, one peer changed`,
          value: one.totalMs,
          unit: 'ms',
          note: qnote || `render + write ${one.renderMs.toFixed(0)} ms + wg syncconf ${one.syncconfMs.toFixed(0)} ms`,
        }),
        row({
          id: 'syncconf-strip-one',
          section: SECTION,
          metric: `before: wg syncconf <if> <(wg-quick strip), ${SYNC_PEERS} peers, one peer changed`,
          value: before.totalMs,
          unit: 'ms',
          note:
            qnote ||
            `the path the agent no longer takes: render + strip ${before.stripMs.toFixed(0)} ms + syncconf ${before.syncconfMs.toFixed(0)} ms`,
        }),
      ],
      details: {
        syncconf: {
          note:
            'The full apply runs when the interface itself changes (first apply, key or port); peer changes go as a ' +
            'delta (wg set … remove, wg addconf). `wg-quick strip` is a bash script that reads the file line by line ' +
            '(about 5 s at 10k peers): the agent renders the wg(8) form itself instead.',
          peers: SYNC_PEERS,
          namespace: ns,
          interface: ifname,
          wireguardGo: version.split('\n')[0].trim(),
          full: strip(full),
          oneChanged: strip(one),
          wgQuickStripOneChanged: strip(before),
        },
      },
    };
  } finally {
    const child = wggo;
    if (child && child.exitCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
    }
    await sh('ip', ['netns', 'exec', ns, 'ip', 'link', 'del', ifname]).catch(() => undefined);
    await sh('ip', ['netns', 'del', ns]).catch(() => undefined);
    if (existsSync(socket)) {
      // Ours (named after this process); wireguard-go removes it on a clean exit.
      rmSync(socket, { force: true });
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  log(`burst of ${BURST}, syncconf of ${SYNC_PEERS}${QUICK ? ' (quick mode: figures not meaningful)' : ''}`);
  const a = await burst();
  let b;
  try {
    b = await syncconfBench();
  } catch (thrown) {
    const error = /** @type {{ stack?: string; message?: string } | null | undefined} */ (thrown);
    log(`syncconf failed: ${error?.stack ?? error}`);
    b = {
      rows: syncconfNullRows(`could not measure: ${String(error?.message ?? error).slice(0, 200)}`),
      details: { syncconf: { error: String(error?.message ?? error) } },
    };
  }
  emit({ rows: [...a.rows, ...b.rows], details: { ...a.details, ...b.details } });
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
