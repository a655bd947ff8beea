import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  SECTIONS,
  failedSection,
  formatValue,
  holdsText,
  missingSection,
  parseSectionOutput,
  renderMarkdown,
  renderTable,
  summarize,
  type BenchRow,
  type BenchSection,
} from '../../scripts/bench/report.mjs';

// The benchmark runner's own parts on canned rows: no benchmark runs here and no timing is
// asserted (figures belong in docs/benchmarks.md, written by `npm run bench`).

const r = (over: Partial<BenchRow> & Pick<BenchRow, 'id' | 'metric'>): BenchRow => ({
  section: 'lease-rate',
  value: null,
  unit: '',
  goal: null,
  holds: null,
  note: '',
  ...over,
});

const canned: BenchSection[] = [
  {
    name: 'lease-rate',
    status: 'ok',
    details: {},
    rows: [
      r({ id: 'lease-rate.raw', metric: 'R: raw lease transactions/s', value: 1234.5, unit: '/s' }),
      r({
        id: 'lease-rate.ratio',
        metric: 'HTTP c=32 / R',
        value: 0.29,
        goal: '≥ 0.35',
        holds: false,
        note: 'CPU | bound',
      }),
      r({ id: 'lease-rate.c8-over-c1', metric: 'c=8 / c=1', value: 2.4, goal: '≥ 2', holds: true }),
    ],
  },
  {
    name: 'web',
    status: 'ok',
    details: {},
    rows: [
      r({
        id: 'web.table',
        section: 'web',
        metric: 'table drawn',
        value: null,
        unit: 'ms',
        goal: '< 1 s',
        note: 'no Chromium',
      }),
    ],
  },
  missingSection('memory'),
  failedSection('claims', 'exit 1'),
];

describe('benchmark report', () => {
  it('lists the sections in order (the eight benchmarks, the start time, then the worker processes)', () => {
    expect(SECTIONS.map((s) => `${s.number} ${s.name}`)).toEqual([
      '1 lease-rate',
      '2 fill',
      '3 keygen',
      '4 claims',
      '5 desired-state',
      '6 hub-apply',
      '7 memory',
      '8 web',
      '9 start',
      '10 workers',
    ]);
  });

  it('formats figures with their unit and a dash when not measured', () => {
    expect(formatValue(1234.5, '/s')).toBe('1,235 /s');
    expect(formatValue(12.345, 'ms')).toBe('12.3 ms');
    expect(formatValue(0.291, '')).toBe('0.29');
    expect(formatValue(null, 'ms')).toBe('—');
    expect(formatValue(Number.NaN, 'ms')).toBe('—');
  });

  it('says yes / NO / not measured only where there is a goal', () => {
    expect(holdsText({ goal: '≥ 2', value: 2.4, holds: true })).toBe('yes');
    expect(holdsText({ goal: '≥ 0.35', value: 0.29, holds: false })).toBe('NO');
    expect(holdsText({ goal: '< 1 s', value: null, holds: null })).toBe('not measured');
    expect(holdsText({ goal: null, value: 5, holds: null })).toBe('');
  });

  it('counts goals held, missed and not measured, and names missing and failed sections', () => {
    expect(summarize(canned)).toEqual({
      goals: 3,
      held: 1,
      missed: ['lease-rate.ratio'],
      unmeasured: ['web.table'],
      missing: ['memory'],
      failed: ['claims'],
    });
  });

  it('stands in for a missing section with a "not present" row that has no figure', () => {
    const m = missingSection('hub-apply');
    expect(m.status).toBe('missing');
    expect(m.rows).toHaveLength(1);
    expect(m.rows[0]).toMatchObject({ section: 'hub-apply', value: null, goal: null, holds: null });
    expect(m.rows[0].note).toMatch(/not present/);
  });

  it('keeps the rows of a failed section and adds one that says why', () => {
    const f = failedSection('fill', 'exit 1', { rows: [r({ id: 'fill.x', metric: 'x', value: 3 })] });
    expect(f.status).toBe('failed');
    expect(f.rows.map((x) => x.id)).toEqual(['fill.x', 'fill.failed']);
    expect(f.rows[1].note).toBe('failed to measure: exit 1');
  });

  it('draws one table line per row with figure, goal and holds', () => {
    const lines = renderTable(canned).split('\n');
    expect(lines[0]).toMatch(/^section\s+metric\s+figure\s+goal\s+holds$/);
    const ratio = lines.find((l) => l.includes('HTTP c=32 / R'))!;
    expect(ratio).toMatch(/^1 lease-rate\s+HTTP c=32 \/ R\s+0\.29\s+≥ 0\.35\s+NO$/);
    expect(lines.find((l) => l.includes('table drawn'))).toMatch(/—\s+< 1 s\s+not measured$/);
    expect(lines.find((l) => l.includes('7 memory'))).toBeDefined();
    expect(lines.find((l) => l.startsWith('goals held'))).toBe(
      'goals held: 1 of 3; missed: lease-rate.ratio; not measured: web.table; sections not present: memory; sections FAILED: claims',
    );
    // Figures are right-aligned in one column.
    const raw = lines.find((l) => l.includes('R: raw lease'))!;
    expect(raw.indexOf('1,235 /s') + '1,235 /s'.length).toBe(ratio.indexOf('0.29') + '0.29'.length);
  });

  it('writes markdown with the machine, a summary and a table per section', () => {
    const md = renderMarkdown({
      sections: canned,
      machine: {
        date: '2026-11-26T10:00:00.000Z',
        gitCommit: 'abc123',
        cores: 2,
        cpuModel: 'Test CPU',
        memoryGb: 7.8,
        loadBefore: [1, 2, 3],
        loadAfter: [1.5, 2, 3],
        node: 'v20.20.2',
        postgres: 'postgres (PostgreSQL) 18.0',
        wireguardGo: null,
        os: 'Linux 6',
        totalSeconds: 42,
      },
    });
    expect(md).toContain('| CPU | 2 × Test CPU |');
    expect(md).toContain('| memory | 7.8 GB |');
    expect(md).toContain('| load average before (1/5/15 min) | 1.00 / 2.00 / 3.00 |');
    expect(md).toContain('| PostgreSQL | postgres (PostgreSQL) 18.0 |');
    expect(md).toContain('| wireguard-go | — |');
    expect(md).toContain('| git commit | abc123 |');
    expect(md).toContain('Goals held: **1 of 3**.');
    expect(md).toContain('## 1. Against the database’s own limit (`lease-rate`)');
    expect(md).toContain('| HTTP c=32 / R | 0.29 | ≥ 0.35 | ❌ no | CPU \\| bound |');
    expect(md).toContain('| c=8 / c=1 | 2.4 | ≥ 2 | ✅ yes |  |');
    expect(md).toContain('## 7. Memory (`memory`)');
    expect(md).toContain('Sections not present in this run: memory.');
    expect(md).toContain('Sections that FAILED to measure: claims.');
    expect(md).not.toContain('Quick mode');
    expect(renderMarkdown({ sections: canned, machine: null, quick: true })).toContain('Quick mode');
  });

  it('reads the last stdout line of a section and refuses anything else', () => {
    const doc = { rows: [r({ id: 'a.b', metric: 'm', value: 1 })], details: { x: 1 } };
    expect(parseSectionOutput(`noise\n${JSON.stringify(doc)}\n`)).toEqual(doc);
    expect(() => parseSectionOutput('')).toThrow(/no result line/);
    expect(() => parseSectionOutput('{"rows": [}')).toThrow(/not JSON/);
    expect(() => parseSectionOutput('{"details": {}}')).toThrow(/no rows/);
    expect(() => parseSectionOutput('{"rows": [{"metric": "m"}]}')).toThrow(/id or metric/);
  });
});

describe('benchmark runner (scripts/bench/run.mjs) on canned sections', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wg-enroll-bench-runner-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sections = join(dir, 'sections');
  const out = join(dir, 'out');

  const run = (only: string) =>
    spawnSync(process.execPath, ['scripts/bench/run.mjs', '--quick', '--only', only], {
      encoding: 'utf8',
      env: { ...process.env, BENCH_SECTIONS_DIR: sections, BENCH_OUT_DIR: out },
      timeout: 30_000,
    });

  it('runs present sections, marks missing ones, writes md + json, and fails when a section fails', () => {
    rmSync(sections, { recursive: true, force: true });
    spawnSync('mkdir', ['-p', sections]);
    const good = {
      rows: [
        r({ id: 'lease-rate.ratio', metric: 'ratio', value: 0.5, goal: '≥ 0.35', holds: true }),
        r({ id: 'lease-rate.raw', metric: 'R', value: 1000, unit: '/s' }),
      ],
      details: { canned: true },
    };
    writeFileSync(
      join(sections, 'lease-rate.mjs'),
      `process.stderr.write('progress\\n');\nprocess.stdout.write(${JSON.stringify(`${JSON.stringify(good)}\n`)});\n` +
        `if (!process.argv.includes('--quick')) process.exit(3);\n`,
    );
    writeFileSync(join(sections, 'fill.mjs'), `process.stdout.write('not json\\n');\n`);

    const ok = run('lease-rate,keygen');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/1 lease-rate\s+ratio\s+0\.5\s+≥ 0\.35\s+yes/);
    expect(ok.stdout).toMatch(/3 keygen\s+section\s+—/);
    const json = JSON.parse(readFileSync(join(out, 'benchmarks.json'), 'utf8'));
    expect(json.sections.map((s: BenchSection) => [s.name, s.status])).toEqual([
      ['lease-rate', 'ok'],
      ['keygen', 'missing'],
    ]);
    expect(json.sections[0].details).toEqual({ canned: true });
    expect(json.machine).toMatchObject({ cores: expect.any(Number), node: process.version, quick: true });
    expect(json.summary).toMatchObject({ goals: 1, held: 1, missing: ['keygen'], failed: [] });
    const md = readFileSync(join(out, 'benchmarks.md'), 'utf8');
    expect(md).toContain('| ratio | 0.5 | ≥ 0.35 | ✅ yes |  |');
    expect(md).toContain('Quick mode');

    const bad = run('lease-rate,fill');
    expect(bad.status).toBe(1);
    const failed = JSON.parse(readFileSync(join(out, 'benchmarks.json'), 'utf8'));
    expect(failed.summary.failed).toEqual(['fill']);
    expect(failed.sections[1].rows.at(-1).note).toBe('failed to measure: the last stdout line is not JSON');
  });
});
