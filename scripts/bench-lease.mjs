#!/usr/bin/env node
// @ts-check
// Lease benchmark (not a test): `npm run bench:lease` runs section 2 of the benchmark suite
// (scripts/bench/sections/fill.mjs — enrollments/s and p99 into a /16 at 1 % and 90 % fill, at
// concurrency 1 and 32, ABBA rounds) on its own and prints its rows. `npm run bench` runs it with
// every other section. Arguments (`--quick`) and the section's BENCH_* knobs pass through.
//
// Results: a table on stdout and JSON in .test-artifacts/bench/lease.json (gitignored).

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSectionOutput, renderTable } from './bench/report.mjs';

const section = fileURLToPath(new URL('./bench/sections/fill.mjs', import.meta.url));
const resultsFile = fileURLToPath(new URL('../.test-artifacts/bench/lease.json', import.meta.url));
const run = spawnSync(process.execPath, [section, ...process.argv.slice(2)], {
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
if (run.status !== 0) {
  process.stderr.write(`bench:lease: the fill section failed (exit ${run.status ?? run.signal})\n`);
  process.exit(1);
}
const result = parseSectionOutput(run.stdout);
process.stdout.write(renderTable([{ name: 'fill', status: 'ok', ...result }]));
mkdirSync(dirname(resultsFile), { recursive: true });
writeFileSync(resultsFile, `${JSON.stringify({ benchmark: 'lease', ...result }, null, 2)}\n`);
process.stdout.write(`results in ${resultsFile}\n`);
