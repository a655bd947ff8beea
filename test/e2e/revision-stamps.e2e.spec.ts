import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { bearer, startTestApp, type TestApp } from '../support/app';
import { Api } from '../support/api';

// Revisions stamped per batch (no shared row in the enrollment's commit): the state at a revision
// is one state wherever and however it is built, and a change made by any path reaches the hub.

let t: TestApp;
let replica: TestApp;
let api: Api;
let replicaApi: Api;

beforeAll(async () => {
  t = await startTestApp();
  replica = await startTestApp({}, { databaseUrl: t.databaseUrl });
  api = new Api(t);
  replicaApi = new Api(replica);
});
afterAll(async () => {
  await replica?.close();
  await t?.close();
});

type State = { revision: string; peers: { id: string; publicKey: string; presharedKey: string }[] };

async function networkWithAgent(name: string, octet: number): Promise<{ id: string; token: string }> {
  const network = await api.createNetwork({ name, ipv4Cidr: `10.${octet}.0.0/24`, ipv6Cidr: `fd00:${octet}::/64` });
  return { id: network.id, token: (await api.token('agent', { network: name })).token };
}

describe('revision stamps', () => {
  it('under concurrent changes on two processes, each revision is one state everywhere, and the last equals a build from scratch', async () => {
    const { id, token } = await networkWithAgent('stampnet', 41);
    const get = async (app: TestApp): Promise<State> => {
      const res = await app.http.get('/v1/networks/stampnet/hub/desired-state').set(bearer(token));
      expect(res.status).toBe(200);
      return res.body as State;
    };
    // Every state each process answered, by revision (each process builds from the changes alone).
    const seen = [new Map<string, string>(), new Map<string, string>()];
    let writing = true;
    const poll = async (app: TestApp, index: number) => {
      while (writing) {
        const state = await get(app);
        const json = JSON.stringify(state.peers);
        const before = seen[index].get(state.revision);
        // One process answers one state per revision.
        expect(before ?? json).toBe(json);
        seen[index].set(state.revision, json);
      }
    };
    const db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    const enrolled: string[] = [];
    const writes = async () => {
      try {
        // Enrollments on both processes, with changes by raw SQL (no stamp asked for by anyone)
        // and stamps from outside (another replica's ticker) in between.
        for (let round = 0; round < 6; round++) {
          const answers = await Promise.all(
            Array.from({ length: 8 }, (_, i) =>
              (i % 2 ? replicaApi : api).enroll('stampnet', t.adminToken, { name: `s${round}-${i}` }),
            ),
          );
          for (const answer of answers) {
            expect(answer.status, JSON.stringify(answer.body)).toBe(201);
            enrolled.push(answer.body.peer.id as string);
          }
          await Promise.all([
            db.query('UPDATE peer SET quarantined = true WHERE id = $1::uuid', [enrolled[round * 3]]),
            db.query("UPDATE peer SET status = 'revoked', revoked_at = now() WHERE id = $1::uuid", [
              enrolled[round * 3 + 1],
            ]),
            db.query('SELECT stamp_network_revision($1::uuid)', [id]),
          ]);
        }
      } finally {
        writing = false;
      }
    };
    try {
      await Promise.all([writes(), poll(t, 0), poll(t, 0), poll(replica, 1), poll(replica, 1)]);
      const last = [await get(t), await get(replica)];
      expect(last[0]).toEqual(last[1]);
      let common = 0;
      for (const [revision, json] of seen[0]) {
        const other = seen[1].get(revision);
        if (other !== undefined) {
          expect(other, `revision ${revision}`).toBe(json);
          common++;
        }
      }
      expect(common).toBeGreaterThan(0);
      // Nothing is left unstamped once the hub has read, and a fresh process builds the same.
      const { rows } = await db.query(
        'SELECT count(*)::int AS n FROM peer WHERE network_id = $1 AND revision IS NULL',
        [id],
      );
      expect(rows[0].n).toBe(0);
      const fresh = await startTestApp({}, { databaseUrl: t.databaseUrl });
      try {
        expect(await get(fresh)).toEqual(last[0]);
      } finally {
        await fresh.close();
      }
      const live = new Set(last[0].peers.map((p) => p.id));
      for (let round = 0; round < 6; round++) {
        expect(live.has(enrolled[round * 3])).toBe(false);
        expect(live.has(enrolled[round * 3 + 1])).toBe(false);
        expect(live.has(enrolled[round * 3 + 2])).toBe(true);
      }
    } finally {
      await db.end();
    }
  });

  it('an enrollment commits while the network row is locked (the revision is not in its transaction)', async () => {
    await networkWithAgent('locked-row', 42);
    const db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    try {
      await db.query('BEGIN');
      await db.query("SELECT 1 FROM network WHERE name = 'locked-row' FOR NO KEY UPDATE");
      const answer = await api.enroll('locked-row', t.adminToken, { name: 'while-locked' });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      await db.query('COMMIT');
    } finally {
      await db.end();
    }
  });

  it('a change made by another path is stamped by the backstop and wakes a waiting agent', async () => {
    const { token } = await networkWithAgent('backstop', 43);
    const peer = (await api.enroll('backstop', t.adminToken, { name: 'b' })).body.peer as { id: string };
    const first = await t.http.get('/v1/networks/backstop/hub/desired-state').set(bearer(token));
    expect(first.body.peers.map((p: { id: string }) => p.id)).toEqual([peer.id]);
    const waiting = replica.http
      .get('/v1/networks/backstop/hub/desired-state?wait=20')
      .set(bearer(token))
      .set('If-None-Match', first.headers.etag);
    const started = Date.now();
    const db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    try {
      // No process asks for a stamp: only the backstop finds the change.
      await db.query('UPDATE peer SET quarantined = true WHERE id = $1::uuid', [peer.id]);
    } finally {
      await db.end();
    }
    const woke = await waiting;
    expect(woke.status).toBe(200);
    expect(BigInt(woke.body.revision)).toBeGreaterThan(BigInt(first.body.revision));
    expect(woke.body.peers).toEqual([]);
    // Well before the 20 s wait ends: the backstop runs every second.
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
