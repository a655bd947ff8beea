import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { expectProblem } from '../support/api';

/** /healthz and /readyz (@nestjs/terminus): readiness = database answers + every shipped migration applied. */
describe('health and readiness', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('healthz answers without the database; readyz is ready on a migrated database', async () => {
    expect((await t.http.get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await t.http.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', database: 'up', migrations: 'current' });
  });

  it('is not ready while a shipped migration is not applied (503 migrations-pending naming it)', async () => {
    const { rows } = await t.sql.query<{ migration_name: string }>(
      'SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name DESC LIMIT 1',
    );
    const latest = rows[0].migration_name;
    await t.sql.query('UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = $1', [latest]);
    try {
      const res = await t.http.get('/readyz');
      expectProblem(res, 503, 'migrations-pending');
      expect(res.body.checks).toEqual({
        database: { status: 'up' },
        migrations: { status: 'down', pending: [latest] },
      });
      // Liveness is not readiness: the process still answers.
      expect((await t.http.get('/healthz')).status).toBe(200);
    } finally {
      await t.sql.query('UPDATE "_prisma_migrations" SET rolled_back_at = NULL WHERE migration_name = $1', [latest]);
    }
    expect((await t.http.get('/readyz')).status).toBe(200);
  });

  it('a failed (unfinished) migration row does not count as applied', async () => {
    const { rows } = await t.sql.query<{ migration_name: string }>(
      'SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name LIMIT 1',
    );
    const first = rows[0].migration_name;
    await t.sql.query('UPDATE "_prisma_migrations" SET finished_at = NULL WHERE migration_name = $1', [first]);
    try {
      expectProblem(await t.http.get('/readyz'), 503, 'migrations-pending');
    } finally {
      await t.sql.query('UPDATE "_prisma_migrations" SET finished_at = now() WHERE migration_name = $1', [first]);
    }
  });

  it('is not ready when the database is gone (503 database-unavailable within the probe timeout)', async () => {
    const gone = await startTestApp();
    try {
      // Drop the app's database under it: every connection is terminated and new ones refused.
      const admin = new URL(gone.databaseUrl);
      const name = admin.pathname.slice(1);
      await gone.sql.end();
      const { Client } = await import('pg');
      admin.pathname = '/postgres';
      const c = new Client({ connectionString: admin.toString() });
      await c.connect();
      await c.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await c.end();
      const started = Date.now();
      const res = await gone.http.get('/readyz');
      expect(Date.now() - started).toBeLessThan(5000);
      expectProblem(res, 503, 'database-unavailable');
      expect((res.body.checks as { database: { status: string } }).database.status).toBe('down');
      expect((await gone.http.get('/healthz')).status).toBe(200);
    } finally {
      await gone.app.close();
      rmSync(gone.dataDir, { recursive: true, force: true });
    }
  });
});
