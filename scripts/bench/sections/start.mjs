#!/usr/bin/env node
// Section 9: `npm start` on an unchanged tree. The clock runs from spawning `npm start` (as a user
// types it, in the repository) to the service's "listening on" line, on a warm data folder: the
// embedded Postgres initialised, migrated and bootstrapped by one earlier start. `npm run bench`
// builds first, so the tree is unchanged and no start may rebuild. Goal: ≤ 5 s (median).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { QUICK, emit, logger, median, row, runSection } from '../lib.mjs';

const SECTION = 'start';
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const RUNS = QUICK ? 1 : 3;
const GOAL_S = 5;
const log = logger(SECTION);
const dataDir = mkdtempSync(join(tmpdir(), 'wg-enroll-bench-start-'));
let current = null;

/** One `npm start`: seconds to "listening on", whether it rebuilt; then Ctrl-C. */
async function npmStart() {
  const started = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  current = child;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let out = '';
  const seconds = await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      out += chunk.toString();
      if (/listening on http:\/\//.test(out)) {
        resolve((performance.now() - started) / 1000);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(({ code }) => reject(new Error(`npm start exited with ${code} before listening:\n${out}`)));
  });
  // Ctrl-C in a terminal: SIGINT to the whole group (npm, the service, its Postgres).
  process.kill(-child.pid, 'SIGINT');
  const end = await exited;
  current = null;
  return { seconds, rebuilt: /npm run build|tsc -p|building/.test(out), exit: end };
}

async function main() {
  log('first start: initialises the data folder (not measured)');
  const first = await npmStart();
  log(`first start ${first.seconds.toFixed(1)} s${first.rebuilt ? ' (it rebuilt)' : ''}`);
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const run = await npmStart();
    log(`warm start ${i + 1}/${RUNS}: ${run.seconds.toFixed(2)} s${run.rebuilt ? ' (rebuilt!)' : ''}`);
    runs.push(run);
  }
  const figure = median(runs.map((r) => r.seconds));
  const rebuilt = runs.some((r) => r.rebuilt);
  emit({
    rows: [
      row({
        id: `${SECTION}.warm`,
        section: SECTION,
        metric: '`npm start` → listening, unchanged tree, warm data folder (median)',
        value: figure,
        unit: 's',
        goal: `≤ ${GOAL_S} s`,
        holds: figure <= GOAL_S && !rebuilt,
        note:
          `${RUNS} runs: ${runs.map((r) => r.seconds.toFixed(2)).join(', ')} s` +
          `${rebuilt ? '; a start REBUILT although nothing changed' : '; no start rebuilt'}` +
          (QUICK ? '; quick mode: one run' : ''),
      }),
    ],
    details: { runs, first },
  });
}

await runSection(log, main, async () => {
  if (current?.pid) {
    try {
      process.kill(-current.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});
