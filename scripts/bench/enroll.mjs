// @ts-check
// Helpers shared by the lease-rate, fill, keygen and claims sections: the raw lease transaction
// through `pg`, accumulating ABBA rounds, run summaries and CPU accounting. (HTTP load comes from
// load-worker.mjs.)

import { createRequire } from 'node:module';
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { enrollPeer, percentile } from './lib.mjs';

const require = createRequire(import.meta.url);
const { peerAddresses } = require('../../dist/domain/network/network-spec.js');
const { parseIpv4Cidr, firstLeasableHost, lastLeasableHost } = require('../../dist/domain/ipam/cidr.js');
const { uuidv7 } = require('../../dist/domain/ids/uuid.js');
const { allocateConfigName } = require('../../dist/domain/text/text.js');
const pg = require('pg');

/**
 * The service's lease transaction (src/enrollment/enrollment.repository.ts `enroll`, with
 * src/ipam's `take`), run straight through `pg`, one statement per round trip as the service
 * sends them:
 *   BEGIN
 *   DELETE FROM free_address … (SELECT … ORDER BY host_number LIMIT 1 FOR UPDATE SKIP LOCKED)
 *     from a random start (and, when nothing is at or after it, the same below it)
 *   INSERT INTO peer … RETURNING …   (the lease row's foreign key needs the peer; the config
 *                                     file name is the device's own, as the service's first try)
 *   INSERT INTO lease …
 *   INSERT INTO audit_event … ('peer.enrolled')
 *   COMMIT                           (the deferred trigger bumps network.revision, NOTIFY)
 * This is everything the service's enrollment transaction writes for an admin-token enrollment
 * (no enrollment key to count, no Idempotency-Key). Key generation, encryption, HTTP, auth,
 * validation and config rendering are what it leaves out.
 * Returns a `drive()` task bound to a pg.Pool.
 * @param {import('pg').Pool} pool
 * @param {{ id: string; ipv4Cidr: string; ipv6Cidr?: string | null }} network
 * @param {string} ownerId
 */
export function rawLeaseTask(pool, network, ownerId, prefix = 'raw') {
  const v4 = parseIpv4Cidr(network.ipv4Cidr);
  const first = firstLeasableHost();
  const last = lastLeasableHost(v4);
  let seq = 0;
  return async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      try {
        const start = randomInt(first, last + 1);
        let host = null;
        for (const cmp of ['>=', '<']) {
          const { rows } = await client.query(
            `DELETE FROM free_address
             WHERE network_id = $1::uuid AND host_number = (
               SELECT host_number FROM free_address
               WHERE network_id = $1::uuid AND host_number ${cmp} $2 AND available_at <= now()
               ORDER BY host_number LIMIT 1 FOR UPDATE SKIP LOCKED)
             RETURNING host_number`,
            [network.id, start],
          );
          if (rows.length > 0) {
            host = rows[0].host_number;
            break;
          }
        }
        if (host === null) {
          await client.query('ROLLBACK');
          return 'pool-exhausted';
        }
        const { ipv4, ipv6 } = peerAddresses(network, host);
        const id = uuidv7();
        const name = `${prefix}-${++seq}`;
        const configName = allocateConfigName(name, new Set());
        const publicKey = randomBytes(32).toString('base64');
        // version byte + 12-byte IV + 16-byte tag + 44-byte base64 key: the size SecretBox.seal makes.
        const psk = Buffer.concat([Buffer.from([1]), randomBytes(72)]);
        await client.query(
          `INSERT INTO peer (id, network_id, name, config_name, owner_id, host_number, ipv4, ipv6, public_key,
             preshared_key_enc, private_key_enc, status, delivery, claim_token_hash, claim_expires_at,
             served_at, expires_at, revision, updated_at)
           VALUES ($1::uuid, $2::uuid, $3, $10, $4, $5, $6, $7, $8, $9, NULL, 'active', 'inline', NULL, NULL,
             now(), NULL, 0, now())
           RETURNING id, network_id, name, owner_id, host_number, ipv4, ipv6, public_key, preshared_key_enc,
             status, delivery, claim_expires_at, served_at, expires_at, revoked_at, revision, created_at, updated_at`,
          [id, network.id, name, ownerId, host, ipv4, ipv6, publicKey, psk, configName],
        );
        await client.query(
          `INSERT INTO lease (id, network_id, peer_id, host_number, ipv4, ipv6, owner_id)
           VALUES ($1::uuid, $2::uuid, $1::uuid, $3, $4, $5, $6)`,
          [id, network.id, host, ipv4, ipv6, ownerId],
        );
        await client.query(
          `INSERT INTO audit_event (actor, action, network_id, target_type, target_id, details)
           VALUES ($1, 'peer.enrolled', $2::uuid, 'peer', $3, $4::jsonb)`,
          [ownerId, network.id, id, JSON.stringify({ name, ipv4, ipv6, publicKey, delivery: 'inline' })],
        );
        await client.query('COMMIT');
        return true;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      client.release();
    }
  };
}

/**
 * What lib.mjs `drive()` resolves; an accumulation also keeps the rate of each round.
 * @typedef {Awaited<ReturnType<typeof import('./lib.mjs').drive>>} Run
 * @typedef {Run & { rounds?: (number | null)[] }} Accumulated
 */

/** Accumulates several `drive()` runs of one kind (ABBA rounds) into one figure. */
export function accumulator() {
  /** @type {Accumulated & { errors: Record<string, number>; rounds: (number | null)[] }} */
  const a = { total: 0, ok: 0, seconds: 0, latencies: [], errors: {}, rounds: [] };
  return {
    /** @param {Run} run */
    add(run) {
      a.total += run.total;
      a.ok += run.ok;
      a.seconds += run.seconds;
      for (const l of run.latencies) a.latencies.push(l);
      for (const [k, v] of Object.entries(run.errors)) a.errors[k] = (a.errors[k] ?? 0) + v;
      a.rounds.push(round2(run.ok / run.seconds));
    },
    get: () => a,
    summary: () => summarize(a),
  };
}

/** @param {number} x */
export const round2 = (x) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : null);

/**
 * Rate, latency percentiles and failures of a run or an accumulation.
 * @param {Accumulated} run
 */
export function summarize(run) {
  return {
    requests: run.total,
    ok: run.ok,
    failed: run.total - run.ok,
    errors: run.errors,
    seconds: round2(run.seconds),
    perSecond: round2(run.ok / run.seconds),
    p50: round2(percentile(run.latencies, 50)),
    p99: round2(percentile(run.latencies, 99)),
    max: round2(Math.max(...run.latencies)),
    ...(run.rounds ? { rounds: run.rounds } : {}),
  };
}

/** @param {Record<string, number> | undefined} errors */
export const errorText = (errors) =>
  Object.entries(errors ?? {})
    .map(([k, v]) => `${v}× ${k}`)
    .join(', ') || 'none';

/** The owner id the service records for the admin token (from one enrollment's answer). */
/**
 * @param {import('./lib.mjs').BenchClient} api
 * @param {string} networkName
 */
export async function ownerOf(api, networkName) {
  return (await enrollPeer(api, networkName, { name: 'owner-probe' })).peer.owner;
}

/**
 * CPU accounting for a section: this Node process, the embedded Postgres (postmaster under
 * `<dataDir>/postgres`, its live children, and the children that exited — the postmaster's
 * cutime/cstime — from /proc), and the whole machine (/proc/stat), so
 * a section can say where an operation's CPU goes and how much of the machine others used.
 * `snap()` returns cumulative milliseconds; `diff(a, b)` the difference.
 * @param {string} dataDir
 */
export function cpuMeter(dataDir) {
  const TICK_MS = 10; // USER_HZ is 100 on Linux
  const postmaster = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  /** @param {number | string} pid */
  const procTicks = (pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime + stime, and cutime + cstime: the CPU of children it waited for (exited backends).
      return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
    } catch {
      return null;
    }
  };
  const postgresMs = () => {
    const pm = procTicks(postmaster);
    let ticks = pm ? pm.ticks + pm.children : 0;
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const p = procTicks(name);
      if (p && p.ppid === postmaster) ticks += p.ticks;
    }
    return ticks * TICK_MS;
  };
  const machineMs = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + f[4];
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: (total - idle) * TICK_MS, total: total * TICK_MS };
  };
  /** @typedef {{ node: number; postgres: number; machineBusy: number; machineTotal: number }} CpuSnap */
  return {
    /** @returns {CpuSnap} */
    snap() {
      const u = process.cpuUsage();
      const m = machineMs();
      return { node: (u.user + u.system) / 1000, postgres: postgresMs(), machineBusy: m.busy, machineTotal: m.total };
    },
    /**
     * @param {CpuSnap} a
     * @param {CpuSnap} b
     * @returns {CpuSnap}
     */
    diff(a, b) {
      return {
        node: b.node - a.node,
        postgres: b.postgres - a.postgres,
        machineBusy: b.machineBusy - a.machineBusy,
        machineTotal: b.machineTotal - a.machineTotal,
      };
    },
  };
}

/**
 * Once a section has its result, Postgres stopping under an idle pooled connection (SQLSTATE
 * 57P01, "terminating connection due to administrator command") must not turn a measured
 * section into a failed one: such errors during teardown are logged; any other error still
 * fails the process.
 * @param {(message: string) => void} log
 */
export function tolerateShutdownErrors(log) {
  process.on('uncaughtException', (/** @type {Error & { code?: string }} */ error) => {
    if (error?.code === '57P01') {
      log(`teardown: ${error.message} (a pooled connection saw Postgres stop; ignored)`);
      return;
    }
    log(`teardown failed: ${error?.stack ?? error}`);
    process.exit(1);
  });
}

/**
 * Samples what the database's client backends are doing (pg_stat_activity: wait event, or "CPU"
 * when active and not waiting) every `everyMs` until `stop()`, which resolves the tally — where
 * the database's time goes while a figure is measured.
 * @param {string} databaseUrl
 */
export function sampleWaits(databaseUrl, everyMs = 100) {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined);
  /** @type {Record<string, number>} */
  const tally = {};
  let samples = 0;
  let running = true;
  const loop = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS what, count(*)::int AS n
         FROM pg_stat_activity
         WHERE backend_type = 'client backend' AND state = 'active' AND pid <> pg_backend_pid()
         GROUP BY 1`,
      );
      samples++;
      for (const r of rows) tally[r.what] = (tally[r.what] ?? 0) + r.n;
      await new Promise((r) => setTimeout(r, everyMs));
    }
    await client.end();
  })();
  return {
    async stop() {
      running = false;
      await loop.catch(() => undefined);
      // Average number of backends in each state per sample, largest first.
      return Object.fromEntries(
        Object.entries(tally)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => [k, round2(v / Math.max(1, samples))]),
      );
    },
  };
}
