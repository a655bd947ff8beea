import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { inject } from 'vitest';

/** A fresh database cloned from the migrated template; one per test file (or per app). */
export async function cloneDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = inject('postgresUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE wg_template`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Row counts of every table a request could write to. */
export async function rowCounts(sql: Client): Promise<Record<string, number>> {
  const tables = ['network', 'peer', 'lease', 'free_address', 'api_token', 'enrollment_key', 'audit_event'];
  const out: Record<string, number> = {};
  for (const t of tables) {
    out[t] = Number((await sql.query(`SELECT count(*) FROM ${t}`)).rows[0].count);
  }
  out.enrollment_key_uses = Number(
    (await sql.query('SELECT coalesce(sum(uses), 0) AS n FROM enrollment_key')).rows[0].n,
  );
  return out;
}
