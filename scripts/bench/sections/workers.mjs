#!/usr/bin/env node
// @ts-check
// Section 10: every core for one `serve` (WEB_CONCURRENCY).
//
// HTTP enrollments/s at concurrency 32 through a real `wg-enroll serve` child process with
// WEB_CONCURRENCY=1 and with WEB_CONCURRENCY=2, both on the stack's Postgres. Rounds alternate
// (1, 2, 2, 1, …: ABBA) so drifting load on this shared machine hits both alike. One /16 network
// per process count, so the pool never runs out. A figure, no goal: the issue asks for it measured.

import { cpus } from 'node:os';
import {
  QUICK,
  createNetwork,
  drive,
  emit,
  logger,
  makeClient,
  median,
  randomPublicKey,
  row,
  runSection,
  startApiChild,
  startStack,
} from '../lib.mjs';

const SECTION = 'workers';
const log = logger(SECTION);
const CONCURRENCY = 32;
const ROUNDS = QUICK ? 2 : 4;
const N = QUICK ? 96 : 600;
const WARMUP = QUICK ? 32 : 100;
const COUNTS = [1, 2];

/** @type {Awaited<ReturnType<typeof startStack>> | null} */
let stack = null;
/** @type {{ stop(): Promise<void> }[]} */
const children = [];
/** @type {ReturnType<typeof makeClient>[]} */
const clients = [];

async function main() {
  stack = await startStack();
  const setup = makeClient(stack.url, stack.adminToken);
  clients.push(setup);
  /** @type {Map<number, { url: string; client: ReturnType<typeof makeClient>; network: string }>} */
  const targets = new Map();
  for (const workers of COUNTS) {
    const api = await startApiChild(stack, { WEB_CONCURRENCY: String(workers), DATABASE_POOL_SIZE: '20' });
    children.push(api);
    const network = `bench-workers-${workers}`;
    await createNetwork(setup, {
      name: network,
      ipv4Cidr: `10.17${workers}.0.0/16`,
      ipv6Cidr: `fd10:17${workers}::/64`,
    });
    const client = makeClient(api.url, stack.adminToken, { maxSockets: CONCURRENCY });
    clients.push(client);
    targets.set(workers, { url: api.url, client, network });
    log(`WEB_CONCURRENCY=${workers}: ${api.url} (pid ${api.pid})`);
  }
  /** @param {number} workers @param {number} total @param {string} prefix */
  const burst = (workers, total, prefix) => {
    const target = /** @type {NonNullable<ReturnType<typeof targets.get>>} */ (targets.get(workers));
    return drive({
      total,
      concurrency: CONCURRENCY,
      task: async (i) => {
        const { response } = await target.client.POST('/v1/networks/{network}/peers', {
          params: { path: { network: target.network } },
          body: { name: `${prefix}-${i}`, publicKey: randomPublicKey() },
        });
        return response.status === 201 ? true : `HTTP ${response.status}`;
      },
    });
  };
  for (const workers of COUNTS) {
    await burst(workers, WARMUP, 'warm');
  }
  /** @type {Record<number, number[]>} */
  const rates = { 1: [], 2: [] };
  /** @type {Record<number, Record<string, number>>} */
  const errors = { 1: {}, 2: {} };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? COUNTS : [...COUNTS].reverse();
    for (const workers of order) {
      const result = await burst(workers, N, `r${round}`);
      rates[workers].push(result.ok / result.seconds);
      for (const [k, v] of Object.entries(result.errors)) errors[workers][k] = (errors[workers][k] ?? 0) + v;
      log(`round ${round}: ${workers} worker(s) ${(result.ok / result.seconds).toFixed(0)}/s (${result.ok}/${N})`);
    }
  }
  const one = median(rates[1]);
  const two = median(rates[2]);
  const note = `${cpus().length} cores shared with the stack's Postgres${QUICK ? '; quick mode, not meaningful' : ''}`;
  emit({
    rows: [
      row({
        id: 'workers-1-c32',
        section: SECTION,
        metric: `HTTP enrollments/s at c=${CONCURRENCY}, WEB_CONCURRENCY=1`,
        value: one,
        unit: '/s',
        note,
      }),
      row({
        id: 'workers-2-c32',
        section: SECTION,
        metric: `HTTP enrollments/s at c=${CONCURRENCY}, WEB_CONCURRENCY=2`,
        value: two,
        unit: '/s',
        note: `${(two / one).toFixed(2)} × one worker; ${note}`,
      }),
    ],
    details: { rounds: ROUNDS, perRound: N, rates, errors },
  });
}

runSection(log, main, async () => {
  for (const c of clients) c.close();
  for (const child of children) await child.stop();
  await stack?.stop();
});
