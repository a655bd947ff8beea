import http from 'node:http';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rememberSecretsIn } from '../support/app';
import { cloneDatabase } from '../support/db';
import { apiClient, createEnrollmentKey, createNetwork, HUB_KEY } from '../support/api';
import { buildDist, newAdminToken, report, startReplica, type Replica } from '../support/replica';

/**
 * SIGTERM under load, on a real `serve` process: it stops accepting, lets every request it
 * accepted finish on a live database, and exits within its bound. "Lost" would be a request
 * the server took in and never answered, or a peer created whose answer never arrived: every
 * enrollment is named, so the database shows exactly which ones were made.
 */

let database: Awaited<ReturnType<typeof cloneDatabase>>;
let adminToken: string;
let replica: Replica;
let sql: Client;

beforeAll(async () => {
  buildDist();
  database = await cloneDatabase();
  adminToken = newAdminToken();
  replica = await startReplica(database.url, adminToken);
  sql = new Client({ connectionString: database.url });
  await sql.connect();
}, 180_000);

afterAll(async () => {
  await sql?.end();
  await replica?.stop();
  await database?.drop();
});

type Outcome = { name: string; status?: number; code?: string; error?: string };

/** One enrollment on a fresh connection (no keep-alive), so each request is accepted or not on its own. */
function enroll(base: string, key: string, name: string): Promise<Outcome> {
  const url = new URL(`${base}/v1/networks/drain/peers`);
  const body = JSON.stringify({ name });
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent: false,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          rememberSecretsIn(text);
          resolve({ name, status: res.statusCode, code: res.statusCode === 201 ? undefined : text.slice(0, 200) });
        });
        res.on('error', (error: NodeJS.ErrnoException) => resolve({ name, error: error.code ?? error.message }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ name, error: error.code ?? error.message }));
    req.end(body);
  });
}

describe('SIGTERM under an enrollment load', () => {
  it('stops accepting, finishes every accepted request, loses none, and exits 0 within the bound', async () => {
    const admin = apiClient(replica.url, adminToken);
    await createNetwork(admin, {
      name: 'drain',
      ipv4Cidr: '10.61.0.0/20',
      ipv6Cidr: 'fd00:61::/64',
      endpoint: 'hub.example.org:51820',
      hubPublicKey: HUB_KEY,
    });
    const secret = (await createEnrollmentKey(admin, 'drain', { maxUses: 4000 })).key;

    const outcomes: Outcome[] = [];
    let sent = 0;
    let exited = false;
    const worker = async () => {
      while (!exited) {
        outcomes.push(await enroll(replica.url, secret, `d-${sent++}`));
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    await new Promise((r) => setTimeout(r, 700));
    const signalled = Date.now();
    replica.process.child.kill('SIGTERM');
    const code = await replica.process.exited;
    const stopMs = Date.now() - signalled;
    exited = true;
    await Promise.all(workers);

    const answered = outcomes.filter((o) => o.status !== undefined);
    const failed = outcomes.filter((o) => o.status === undefined);
    report(
      `[shutdown] ${outcomes.length} requests: ${answered.length} answered, ${failed.length} not accepted ` +
        `(${[...new Set(failed.map((o) => o.error))].join(', ')}); exit ${code} after ${stopMs} ms`,
    );
    expect(code).toBe(0);
    expect(stopMs).toBeLessThan(6_000);
    // Every answer is a success: in-flight requests finished on a live database (no 503/500).
    expect(answered.filter((o) => o.status !== 201)).toEqual([]);
    expect(answered.length).toBeGreaterThan(0);
    // Refused requests were refused before the service took them in: connection refused or reset
    // by the closed listener, never a response cut in the middle.
    for (const o of failed) {
      expect(['ECONNREFUSED', 'ECONNRESET']).toContain(o.error);
    }
    // Nothing lost: the peers in the database are exactly the answered enrollments.
    const { rows } = await sql.query<{ name: string }>(
      `SELECT p.name FROM peer p JOIN network n ON n.id = p.network_id WHERE n.name = 'drain'`,
    );
    expect(rows.map((r) => r.name).sort()).toEqual(answered.map((o) => o.name).sort());
  }, 120_000);
});
