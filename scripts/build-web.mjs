// Bundles the browser pages (web/src/*.ts entries, with @noble/curves and everything else they
// import) into dist/public/assets/, and copies web/static/ beside them. Nothing is loaded from a
// CDN: the service serves these files itself (src/web/).
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'public');

export async function buildWeb({ quiet = false } = {}) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'assets'), { recursive: true });
  cpSync(join(root, 'web', 'static'), out, { recursive: true });
  const entries = readdirSync(join(root, 'web', 'src'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
    .map((f) => join(root, 'web', 'src', f));
  await build({
    entryPoints: entries,
    bundle: true,
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    minify: true,
    legalComments: 'linked',
    outdir: join(out, 'assets'),
    tsconfig: join(root, 'web', 'tsconfig.json'),
    logLevel: quiet ? 'error' : 'info',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildWeb();
}
