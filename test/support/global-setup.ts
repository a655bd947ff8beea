import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/database/embedded-postgres';
import { applyMigrations } from '../../src/database/migrate';
import { ARTIFACTS_ROOT, ROOT } from './paths';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the suite's Postgres (database "postgres"). */
    postgresUrl: string;
  }
}

let db: EmbeddedDatabase | null = null;
let dataDir: string | null = null;

/**
 * One real Postgres for the whole run: the embedded one in a fresh temp folder, or the server
 * at TEST_DATABASE_URL. Migrations are applied once to the template database "wg_template";
 * each test file clones it (test/support/db.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // This run's artifacts folder; earlier runs' folders go, except those of runs still going.
  if (!process.env.WG_ENROLL_TEST_ARTIFACTS) {
    pruneOldRuns();
    process.env.WG_ENROLL_TEST_ARTIFACTS = join(ARTIFACTS_ROOT, `run-${Date.now()}-${process.pid}`);
  }
  const artifacts = process.env.WG_ENROLL_TEST_ARTIFACTS;
  // The pages' bundle (dist/public), so the browser tests run against the current web/ sources.
  await import(pathToFileURL(join(ROOT, 'scripts', 'build-web.mjs')).href).then(
    (m: { buildWeb(o: object): Promise<void> }) => m.buildWeb({ quiet: true }),
  );
  mkdirSync(join(artifacts, 'logs'), { recursive: true });
  mkdirSync(join(artifacts, 'secrets'), { recursive: true });
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    dataDir = mkdtempSync(join(tmpdir(), 'wg-enroll-test-'));
    db = await startEmbeddedPostgres(dataDir);
    const url = new URL(db.url);
    url.pathname = '/postgres';
    adminUrl = url.toString();
  }
  const template = new URL(adminUrl);
  template.pathname = '/wg_template';
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  await client.query('DROP DATABASE IF EXISTS wg_template');
  await client.query('CREATE DATABASE wg_template');
  await client.end();
  await applyMigrations(template.toString());
  project.provide('postgresUrl', adminUrl);
  return async () => {
    await db?.stop();
    if (dataDir) {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
}

function pruneOldRuns(): void {
  if (!existsSync(ARTIFACTS_ROOT)) {
    return;
  }
  for (const name of readdirSync(ARTIFACTS_ROOT)) {
    const pid = Number(/^run-\d+-(\d+)$/.exec(name)?.[1]);
    let alive = false;
    try {
      alive = pid > 0 && process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive && name !== 'bench') {
      rmSync(join(ARTIFACTS_ROOT, name), { recursive: true, force: true });
    }
  }
}
