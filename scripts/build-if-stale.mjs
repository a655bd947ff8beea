#!/usr/bin/env node
// `npm start` builds only when it must. `npm run build` (which `npm ci` runs through `prepare`)
// ends with `build-if-stale.mjs --stamp`, which writes dist/.build-stamp; without --stamp this
// script runs `npm run build` only when the stamp is missing or a build input (src/, web/,
// prisma/schema.prisma, the build scripts, tsconfig, package files) is newer than it.
// Comparing modification times is what make does; a content hash would need reading every file.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMP = join(ROOT, 'dist', '.build-stamp');
const INPUTS = [
  'src',
  'web',
  'prisma/schema.prisma',
  'scripts/build-web.mjs',
  'scripts/prisma-generate.mjs',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
  'package-lock.json',
];
// Outputs of the build itself, not inputs.
const SKIP = new Set([join(ROOT, 'src', 'generated')]);

/** The newest input file: { path, mtimeMs }. */
function newest(path, best = { path: null, mtimeMs: 0 }) {
  if (SKIP.has(path) || !existsSync(path)) {
    return best;
  }
  const stat = statSync(path);
  if (stat.isDirectory()) {
    for (const entry of readdirSync(path)) {
      best = newest(join(path, entry), best);
    }
    return best;
  }
  return stat.mtimeMs > best.mtimeMs ? { path, mtimeMs: stat.mtimeMs } : best;
}

if (process.argv.includes('--stamp')) {
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  process.exit(0);
}

const input = INPUTS.reduce((best, p) => newest(join(ROOT, p), best), { path: null, mtimeMs: 0 });
const stamp = existsSync(STAMP) ? statSync(STAMP).mtimeMs : null;
if (stamp !== null && input.mtimeMs <= stamp) {
  process.exit(0);
}
process.stderr.write(
  stamp === null
    ? 'dist/ was not built by `npm run build` yet: building\n'
    : `${relative(ROOT, input.path)} changed since the last build: building (npm run build)\n`,
);
const npm = process.env.npm_execpath;
const build = npm
  ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: ROOT, stdio: 'inherit' })
  : spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
process.exit(build.status ?? 1);
