// The hub agent's image carries one file of code instead of the service's node_modules: this
// bundles dist/cli/main.js (run `npm run build` first) with everything it imports statically
// into one file (the image build writes /agent/cli/main.js). The commands main.js loads with a dynamic import() (serve,
// migrate, openapi: NestJS, Prisma, pg, the web pages) stay out of the bundle and are not in the
// agent image; `wg-enroll agent` and `help` never load them.
//   node scripts/containers/bundle-agent.mjs [outfile]   (default .test-artifacts/agent/cli/main.js)
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outfile = resolve(process.argv[2] ?? join(root, '.test-artifacts', 'agent', 'cli', 'main.js'));
const result = await build({
  absWorkingDir: root,
  entryPoints: ['dist/cli/main.js'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  metafile: true,
  logLevel: 'warning',
  plugins: [
    {
      name: 'dynamic-imports-stay-out',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) =>
          args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined,
        );
      },
    },
  ],
});
const packages = new Set(
  Object.keys(result.metafile.inputs)
    .map((input) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(input)?.[1])
    .filter(Boolean),
);
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
process.stdout.write(
  `agent bundle: ${outfile}, ${(bytes / 1e6).toFixed(1)} MB, packages: ${[...packages].sort().join(', ')}\n`,
);
