#!/usr/bin/env node
// @ts-check
// Section 4 (issue 6): serve-once. N enrollments with delivery "link" are made first (each a
// one-time claim link, the private key stored encrypted until served); then each claim is
// redeemed once, at concurrency 32: POST /v1/claims/{token} with Accept: application/json must
// answer 200 with a config that holds a private key. Redemptions/s is the figure (issue 6 sets no
// goal for it); every redemption answering 200 with a config, and a second redemption of a
// sample answering 410 config-already-served, are the checks.

import pg from 'pg';
import { QUICK, createNetwork, emit, logger, makeClient, row, startStack, runSection } from '../lib.mjs';
import { loadGenerator } from '../load-worker.mjs';
import { errorText, round2, summarize, tolerateShutdownErrors } from '../enroll.mjs';

const log = logger('claims');
const SECTION = 'claims';
const N = QUICK ? 100 : 3000;
const SECOND_TRY = QUICK ? 20 : 200;

/** @type {Awaited<ReturnType<typeof startStack>> | null} */
let stack = null;
/** @type {import('../lib.mjs').BenchClient | null} */
let request = null;
/** @type {ReturnType<typeof loadGenerator> | null} */
let gen = null;
/** @type {import('pg').Pool | null} */
let dbPool = null;

async function main() {
  log('starting the service');
  stack = await startStack();
  request = makeClient(stack.url, stack.adminToken);
  dbPool = new pg.Pool({ connectionString: stack.databaseUrl, max: 1 });
  dbPool.on('error', (error) => log(`idle database connection: ${error.message}`));
  const net = await createNetwork(request, {
    name: 'bench-claims',
    ipv4Cidr: '10.143.0.0/16',
    ipv6Cidr: 'fd10:143::/64',
  });

  // HTTP load from a worker thread (load-worker.mjs): the service's event loop serves only.
  gen = loadGenerator(stack.url, stack.adminToken);
  const created = await gen.enroll({
    network: net.name,
    total: N,
    concurrency: 32,
    prefix: 'link',
    extra: { delivery: 'link' },
    collectClaims: true,
  });
  const tokens = 'claims' in created ? created.claims : null;
  if (created.ok !== N || !tokens || tokens.some((t) => typeof t !== 'string')) {
    throw new Error(`creating ${N} link enrollments: ${created.ok} ok (${errorText(created.errors)})`);
  }
  log(`${N} link enrollments in ${created.seconds.toFixed(1)} s (${(N / created.seconds).toFixed(0)}/s)`);
  // Warm the route with unknown tokens (404): a real warm-up redemption would spend claims.
  await gen.redeem({ tokens: Array.from({ length: 64 }, () => `wgc_${'A'.repeat(43)}`), concurrency: 32, expect: 404 });

  const redeem = await gen.redeem({ tokens, concurrency: 32 });
  const r = summarize(redeem);
  log(`${r.ok}/${N} redeemed: ${r.perSecond}/s p50 ${r.p50} ms p99 ${r.p99} ms (failures: ${errorText(r.errors)})`);
  // Serve-once, as seen from the database: every link peer served once, no private key left.
  const { rows: db } = await dbPool.query(
    `SELECT count(*) FILTER (WHERE served_at IS NOT NULL AND private_key_enc IS NULL AND status = 'active')::int AS served,
            count(*)::int AS total
     FROM peer WHERE network_id = $1 AND delivery = 'link'`,
    [net.id],
  );
  const again = await gen.redeem({ tokens: tokens.slice(0, SECOND_TRY), concurrency: 32, expect: 410 });
  const allServed = r.ok === N && db[0].served === N && db[0].total === N;
  emit({
    rows: [
      row({
        id: `${SECTION}.redemptions`,
        section: SECTION,
        metric: 'claim redemptions/s (distinct claims), c=32',
        value: r.perSecond,
        unit: '/s',
        note: `${N} claims; p50 ${r.p50} ms, p99 ${r.p99} ms; link enrollments were made at ${round2(N / created.seconds)}/s`,
      }),
      row({
        id: `${SECTION}.served`,
        section: SECTION,
        metric: 'redemptions answered 200 with a config',
        value: (100 * r.ok) / N,
        unit: '%',
        goal: '100 %',
        holds: allServed,
        note:
          `in the database: ${db[0].served} of ${db[0].total} link peers served with their stored private key wiped` +
          (r.failed ? `; failures: ${errorText(r.errors)}` : ''),
      }),
      row({
        id: `${SECTION}.second-redemption`,
        section: SECTION,
        metric: `second redemption answered 410 config-already-served (${SECOND_TRY} claims)`,
        value: (100 * again.ok) / SECOND_TRY,
        unit: '%',
        goal: '100 %',
        holds: again.ok === SECOND_TRY,
        note: again.ok === SECOND_TRY ? '' : `other answers: ${errorText(again.errors)}`,
      }),
    ],
    details: {
      claims: N,
      linkEnrollment: summarize(created),
      redemption: r,
      database: db[0],
      secondRedemption: summarize(again),
    },
  });
}

await runSection(log, main, async () => {
  tolerateShutdownErrors(log);
  request?.close();
  await gen?.close();
  await dbPool?.end().catch(() => undefined);
  await stack?.stop().catch(() => undefined);
});
