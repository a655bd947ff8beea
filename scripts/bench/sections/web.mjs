#!/usr/bin/env node
// @ts-check
// Section 8 (issue 6): the status page. Runs scripts/bench-web.mjs --json (the real service,
// 10,000 peers, /status in headless Debian Chromium; quick: 500 peers, 1 run) and turns its
// medians into rows: sign-in → peers table drawn, page load → table drawn, search typed → table
// answered (the page's 250 ms debounce included). Goal: < 1 s each.
// Without Chromium the rows carry no figure and say why (never a made-up one).

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { QUICK, emit, logger, row } from '../lib.mjs';
import { CHROMIUM } from '../../chromium.mjs';

const log = logger('web');
const SECTION = 'web';
const PEERS = QUICK ? 500 : 10_000;
const RUNS = QUICK ? 1 : 5;
const script = fileURLToPath(new URL('../../bench-web.mjs', import.meta.url));

const METRICS = [
  { id: 'table-drawn', what: 'sign-in → peers table drawn', metric: `sign-in → peers table drawn (${PEERS} peers)` },
  {
    id: 'load-drawn',
    what: 'page load (signed in) → peers table drawn',
    metric: 'page load (signed in) → table drawn',
  },
  {
    id: 'search',
    what: 'search typed → table answered (250 ms debounce included)',
    metric: 'search typed → table answered (debounce included)',
  },
];

/** @param {string} reason */
function unmeasured(reason) {
  return METRICS.map((m) =>
    row({
      id: `${SECTION}.${m.id}`,
      section: SECTION,
      metric: m.metric,
      value: null,
      unit: 'ms',
      goal: '< 1 s',
      holds: null,
      note: reason,
    }),
  );
}

if (!existsSync(CHROMIUM)) {
  log(`no Chromium at ${CHROMIUM}: not measured`);
  emit({ rows: unmeasured(`not measured: no Chromium at ${CHROMIUM} (apt-get install chromium)`), details: {} });
  process.exit(0);
}

const child = spawn(process.execPath, [script, '--json', '--peers', String(PEERS), '--runs', String(RUNS)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
/** @type {Buffer[]} */
const chunks = [];
child.stdout.on('data', (/** @type {Buffer} */ c) => chunks.push(c));
const code = await new Promise((resolve) => child.on('close', (c, signal) => resolve(c ?? signal)));
if (code !== 0) {
  log(`bench-web.mjs exited ${code}`);
  process.exit(1);
}
const result = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const rows = METRICS.map((m) => {
  const f = result.figures.find((/** @type {{ what: string }} */ x) => x.what === m.what);
  if (!f) {
    throw new Error(`bench-web.mjs gave no figure "${m.what}"`);
  }
  return row({
    id: `${SECTION}.${m.id}`,
    section: SECTION,
    metric: m.metric,
    value: f.medianMs,
    unit: 'ms',
    goal: '< 1 s',
    holds: f.medianMs < 1000,
    note: `median of ${result.runs} runs (samples ${f.samples.join(', ')} ms)${result.pageErrors.length ? `; page errors: ${result.pageErrors.join('; ')}` : ''}`,
  });
});
rows.push(
  row({
    id: `${SECTION}.search-sql`,
    section: SECTION,
    metric: 'status query name search in Postgres (EXPLAIN ANALYZE)',
    value: result.explain.nameSearch.executionMs,
    unit: 'ms',
    note: result.explain.nameSearch.plan,
  }),
);
emit({ rows, details: result });
