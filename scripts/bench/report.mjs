// @ts-check
// The benchmark runner's pure parts (no I/O): the section list, what stands in for a section that
// is missing or failed, the text table and the markdown page. scripts/bench/run.mjs does the I/O;
// test/bench/report.spec.ts checks these on canned rows.

/**
 * One figure of a section: what lib.mjs `row()` makes and a section prints.
 * @typedef {{ id: string; section: string; metric: string; value: number | null; unit: string; goal: string | null; holds: boolean | null; note: string }} BenchRow
 */
/**
 * A section's outcome as the runner keeps it.
 * @typedef {{ name: string; status: 'ok' | 'missing' | 'failed'; rows: BenchRow[]; details: Record<string, unknown>; seconds?: number }} BenchSection
 */
/**
 * What run.mjs collects about the machine (every field optional for the page).
 * @typedef {{ date?: string; gitCommit?: string | null; cores?: number; cpuModel?: string | null; memoryGb?: number | null; os?: string; node?: string; postgres?: string | null; wireguardGo?: string | null; loadBefore?: number[] | null; loadAfter?: number[] | null; totalSeconds?: number | null }} Machine
 */

/** The suite's sections, in the order they run. */
export const SECTIONS = [
  { name: 'lease-rate', number: 1, title: 'Against the database’s own limit' },
  { name: 'fill', number: 2, title: 'Flat as the pool fills' },
  { name: 'keygen', number: 3, title: 'Key generation is never the bottleneck' },
  { name: 'claims', number: 4, title: 'Serve-once' },
  { name: 'desired-state', number: 5, title: 'Desired state at scale' },
  { name: 'hub-apply', number: 6, title: 'Hub apply under bursts' },
  { name: 'memory', number: 7, title: 'Memory' },
  { name: 'web', number: 8, title: 'Pages' },
  { name: 'start', number: 9, title: '`npm start` of an unchanged tree' },
  { name: 'workers', number: 10, title: 'Every core: WEB_CONCURRENCY' },
];

/**
 * The row that stands for a whole section without figures.
 * @param {string} name
 * @param {string} what
 * @param {string} note
 * @returns {BenchRow}
 */
function sectionRow(name, what, note) {
  return {
    id: `${name}.${what}`,
    section: name,
    metric: 'section',
    value: null,
    unit: '',
    goal: null,
    holds: null,
    note,
  };
}

/** A section whose file is not there (not built yet): one row that says so; not a failure. */
/**
 * @param {string} name
 * @returns {BenchSection}
 */
export function missingSection(name, file = `scripts/bench/sections/${name}.mjs`) {
  return {
    name,
    status: 'missing',
    rows: [sectionRow(name, 'present', `not present (${file} does not exist)`)],
    details: {},
  };
}

/** A section that ran but could not measure (non-zero exit or no result line): a failure of the suite. */
/**
 * @param {string} name
 * @param {string} reason
 * @param {{ rows?: unknown; details?: Record<string, unknown> } | null} [partial]
 * @returns {BenchSection}
 */
export function failedSection(name, reason, partial = null) {
  const rows = Array.isArray(partial?.rows) ? /** @type {BenchRow[]} */ (partial.rows) : [];
  return {
    name,
    status: 'failed',
    rows: [...rows, sectionRow(name, 'failed', `failed to measure: ${reason}`)],
    details: partial?.details ?? {},
  };
}

/**
 * Reads a section's stdout: the last non-empty line must be the `{rows, details}` document.
 * Returns the parsed document, or throws with what was wrong.
 * @param {unknown} stdout
 * @returns {{ rows: BenchRow[]; details: Record<string, unknown> }}
 */
export function parseSectionOutput(stdout) {
  const lines = String(stdout)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length === 0) {
    throw new Error('no result line on stdout');
  }
  let doc;
  try {
    doc = JSON.parse(lines[lines.length - 1]);
  } catch {
    throw new Error('the last stdout line is not JSON');
  }
  if (doc === null || typeof doc !== 'object' || !Array.isArray(doc.rows)) {
    throw new Error('the result has no rows array');
  }
  for (const r of doc.rows) {
    if (typeof r?.id !== 'string' || typeof r?.metric !== 'string') {
      throw new Error('a row lacks id or metric');
    }
  }
  return { rows: doc.rows, details: doc.details ?? {} };
}

/** "1,234.5 /s", "12.3 ms", "0.92"; "—" when not measured. */
/**
 * @param {number | null | undefined} value
 * @param {string} [unit]
 */
export function formatValue(value, unit = '') {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return '—';
  }
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  const text = value.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: digits });
  if (!unit) {
    return text;
  }
  return `${text} ${unit}`;
}

/** yes / NO / not measured / (empty when there is no goal). */
/** @param {Pick<BenchRow, 'goal' | 'value' | 'holds'>} r */
export function holdsText(r) {
  if (r.goal === null || r.goal === undefined || r.goal === '') {
    return '';
  }
  if (r.value === null || r.holds === null || r.holds === undefined) {
    return 'not measured';
  }
  return r.holds ? 'yes' : 'NO';
}

/** Counts over every row with a goal. */
/** @param {BenchSection[]} sections */
export function summarize(sections) {
  const withGoal = sections
    .flatMap((s) => s.rows)
    .filter((r) => r.goal !== null && r.goal !== undefined && r.goal !== '');
  const held = withGoal.filter((r) => r.value !== null && r.holds === true);
  const missed = withGoal.filter((r) => r.value !== null && r.holds === false);
  const unmeasured = withGoal.filter((r) => r.value === null || r.holds === null || r.holds === undefined);
  return {
    goals: withGoal.length,
    held: held.length,
    missed: missed.map((r) => r.id),
    unmeasured: unmeasured.map((r) => r.id),
    missing: sections.filter((s) => s.status === 'missing').map((s) => s.name),
    failed: sections.filter((s) => s.status === 'failed').map((s) => s.name),
  };
}

const sectionLabel = (/** @type {string} */ name) => {
  const s = SECTIONS.find((x) => x.name === name);
  return s ? `${s.number} ${s.name}` : name;
};

/** The plain-text table the runner prints: one line per row. */
/** @param {BenchSection[]} sections */
export function renderTable(sections) {
  const header = ['section', 'metric', 'figure', 'goal', 'holds'];
  /** @type {string[][]} */
  const lines = [];
  for (const s of sections) {
    for (const r of s.rows) {
      lines.push([sectionLabel(s.name), r.metric, formatValue(r.value, r.unit), r.goal ?? '', holdsText(r)]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (/** @type {string[]} */ cells) =>
    cells
      .map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const sum = summarize(sections);
  const out = [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt), ''];
  out.push(
    `goals held: ${sum.held} of ${sum.goals}` +
      (sum.missed.length ? `; missed: ${sum.missed.join(', ')}` : '') +
      (sum.unmeasured.length ? `; not measured: ${sum.unmeasured.join(', ')}` : '') +
      (sum.missing.length ? `; sections not present: ${sum.missing.join(', ')}` : '') +
      (sum.failed.length ? `; sections FAILED: ${sum.failed.join(', ')}` : ''),
  );
  return `${out.join('\n')}\n`;
}

const cell = (/** @type {unknown} */ text) =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');

const holdsMark = (/** @type {BenchRow} */ r) => {
  const t = holdsText(r);
  return t === 'yes' ? '✅ yes' : t === 'NO' ? '❌ no' : t;
};

/**
 * The docs/benchmarks.md page: machine, a summary, then one table per section (figure, goal,
 * holds, note). `machine` is what run.mjs collected.
 * @param {{ sections: BenchSection[]; machine?: Machine | null; quick?: boolean; command?: string }} options
 */
export function renderMarkdown({ sections, machine, quick = false, command = 'npm run bench' }) {
  const sum = summarize(sections);
  const out = [];
  out.push('# Benchmarks');
  out.push('');
  out.push(
    `Written by \`${command}\` (scripts/bench/run.mjs) — do not edit by hand. Every figure below was measured in ` +
      'one run on the machine described here; ratios compare figures measured side by side in the same section ' +
      'process, because the machine is shared and noisy. The JSON beside this file ' +
      '([benchmarks.json](benchmarks.json)) has every row plus each section’s details (round-by-round figures, ' +
      'settings, causes).',
  );
  if (quick) {
    out.push('');
    out.push('> **Quick mode (`--quick`)**: small counts for a smoke test; the figures are not meaningful.');
  }
  out.push('');
  out.push('## Machine');
  out.push('');
  out.push('| | |');
  out.push('|---|---|');
  /** @type {Machine} */
  const m = machine ?? {};
  const load = (/** @type {unknown} */ l) => (Array.isArray(l) ? l.map((x) => Number(x).toFixed(2)).join(' / ') : '—');
  const machineRows = [
    ['date', m.date],
    ['git commit', m.gitCommit],
    ['CPU', m.cpuModel ? `${m.cores} × ${m.cpuModel}` : m.cores],
    ['memory', m.memoryGb !== undefined && m.memoryGb !== null ? `${m.memoryGb} GB` : null],
    ['load average before (1/5/15 min)', load(m.loadBefore)],
    ['load average after (1/5/15 min)', load(m.loadAfter)],
    ['Node.js', m.node],
    ['PostgreSQL', m.postgres],
    ['wireguard-go', m.wireguardGo],
    ['OS', m.os],
    ['total time', m.totalSeconds !== undefined ? `${m.totalSeconds} s` : null],
  ];
  for (const [k, v] of machineRows) {
    out.push(`| ${k} | ${cell(v ?? '—')} |`);
  }
  out.push('');
  out.push('## Summary');
  out.push('');
  out.push(`Goals held: **${sum.held} of ${sum.goals}**.`);
  if (sum.missed.length) {
    out.push(`Missed: ${sum.missed.map((id) => `\`${id}\``).join(', ')} (each row’s note says why).`);
  }
  if (sum.unmeasured.length) {
    out.push(`Not measured: ${sum.unmeasured.map((id) => `\`${id}\``).join(', ')}.`);
  }
  if (sum.missing.length) {
    out.push(`Sections not present in this run: ${sum.missing.join(', ')}.`);
  }
  if (sum.failed.length) {
    out.push(`Sections that FAILED to measure: ${sum.failed.join(', ')}.`);
  }
  for (const s of sections) {
    const meta = SECTIONS.find((x) => x.name === s.name);
    out.push('');
    out.push(`## ${meta ? `${meta.number}. ${meta.title} (\`${s.name}\`)` : s.name}`);
    out.push('');
    out.push('| metric | figure | goal | holds | note |');
    out.push('|---|--:|---|---|---|');
    for (const r of s.rows) {
      out.push(
        `| ${cell(r.metric)} | ${cell(formatValue(r.value, r.unit))} | ${cell(r.goal ?? '')} | ${holdsMark(r)} | ${cell(r.note)} |`,
      );
    }
  }
  out.push('');
  return out.join('\n');
}
