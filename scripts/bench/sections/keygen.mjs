#!/usr/bin/env node
// @ts-check
// Section 3 (issue 6): key generation is never the bottleneck. Server key pairs per second with
// the service's own generator (dist/domain/keys/x25519.js: generateKeyPair — node:crypto X25519 —
// plus generatePresharedKey, as every server-made enrollment does), against the enrollment rate
// measured in the same process: a short run of HTTP enrollments at concurrency 32. Rounds
// alternate (enroll, keygen, keygen, enroll, …). Goal: key pairs/s ≥ 10 × enrollments/s.

import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { QUICK, createNetwork, emit, logger, makeClient, row, startStack, runSection } from '../lib.mjs';
import { loadGenerator } from '../load-worker.mjs';
import { accumulator, errorText, round2, tolerateShutdownErrors } from '../enroll.mjs';

const require = createRequire(import.meta.url);
const { generateKeyPair, generatePresharedKey } = require('../../../dist/domain/keys/x25519.js');
const log = logger('keygen');
const SECTION = 'keygen';
const ROUNDS = QUICK ? 2 : 4;
const ENROLL_N = QUICK ? 64 : 600;
const KEYGEN_N = QUICK ? 500 : 5000;

/** @type {Awaited<ReturnType<typeof startStack>> | null} */
let stack = null;
/** @type {import('../lib.mjs').BenchClient | null} */
let request = null;
/** @type {ReturnType<typeof loadGenerator> | null} */
let gen = null;

/**
 * `n` server key pairs + preshared keys on this thread; returns seconds.
 * @param {number} n
 */
function keygen(n) {
  const started = performance.now();
  let check = 0;
  for (let i = 0; i < n; i++) {
    const pair = generateKeyPair();
    const psk = generatePresharedKey();
    check += pair.publicKey.length + pair.privateKey.length + psk.length;
  }
  if (check !== n * 3 * 44) {
    throw new Error('a generated key is not 44 base64 characters');
  }
  return (performance.now() - started) / 1000;
}

async function main() {
  log('starting the service');
  stack = await startStack();
  request = makeClient(stack.url, stack.adminToken);
  const net = await createNetwork(request, { name: 'bench-keygen', ipv4Cidr: '10.142.0.0/16' });
  // HTTP load from a worker thread (load-worker.mjs); key generation runs on this (the service's) thread.
  gen = loadGenerator(stack.url, stack.adminToken);
  const warm = await gen.enroll({ network: net.name, total: QUICK ? 32 : 200, concurrency: 32, prefix: 'warm' });
  keygen(QUICK ? 100 : 1000);
  log(`warmed up (enrollment failures: ${errorText(warm.errors)})`);
  const enroll = accumulator();
  /** @type {{ n: number; seconds: number; rounds: (number | null)[] }} */
  const keys = { n: 0, seconds: 0, rounds: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['enroll', 'keygen'] : ['keygen', 'enroll'];
    for (const what of order) {
      if (what === 'enroll') {
        const run = await gen.enroll({ network: net.name, total: ENROLL_N, concurrency: 32, prefix: `r${round}` });
        enroll.add(run);
        log(`round ${round + 1}/${ROUNDS} enrollments c=32: ${(run.ok / run.seconds).toFixed(1)}/s`);
      } else {
        const seconds = keygen(KEYGEN_N);
        keys.n += KEYGEN_N;
        keys.seconds += seconds;
        keys.rounds.push(round2(KEYGEN_N / seconds));
        log(`round ${round + 1}/${ROUNDS} key pairs: ${(KEYGEN_N / seconds).toFixed(0)}/s`);
      }
    }
  }
  const summary = enroll.summary();
  const e = { ...summary, perSecond: summary.perSecond ?? 0, rounds: summary.rounds ?? [] };
  const pairsPerSecond = keys.n / keys.seconds;
  const ratio = pairsPerSecond / e.perSecond;
  const failNote = e.failed ? ` Enrollment failures: ${errorText(e.errors)}.` : '';
  emit({
    rows: [
      row({
        id: `${SECTION}.pairs`,
        section: SECTION,
        metric: 'server key pairs/s (X25519 pair + preshared key, one thread)',
        value: pairsPerSecond,
        unit: '/s',
        note: `rounds ${keys.rounds.join(', ')}/s`,
      }),
      row({
        id: `${SECTION}.enroll-c32`,
        section: SECTION,
        metric: 'HTTP enrollments/s, c=32 (same process)',
        value: e.perSecond,
        unit: '/s',
        note: `rounds ${e.rounds.join(', ')}/s.${failNote}`,
      }),
      row({
        id: `${SECTION}.ratio`,
        section: SECTION,
        metric: 'key pairs/s / enrollments/s',
        value: ratio,
        goal: '≥ 10',
        holds: ratio >= 10,
        note: `one key pair + preshared key takes ${(1000 / pairsPerSecond).toFixed(3)} ms on one thread: ${((100 * e.perSecond) / pairsPerSecond).toFixed(1)} % of a core at the enrollment rate`,
      }),
    ],
    details: {
      rounds: ROUNDS,
      enrollPerRound: ENROLL_N,
      keygenPerRound: KEYGEN_N,
      enroll: e,
      keygen: { ...keys, seconds: round2(keys.seconds) },
    },
  });
}

await runSection(log, main, async () => {
  tolerateShutdownErrors(log);
  await gen?.close();
  request?.close();
  await stack?.stop().catch(() => undefined);
});
