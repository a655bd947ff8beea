import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debianPostgresMissing, PG_BIN, startDebianCluster, type DebianCluster } from '../support/debian-postgres';
import { runCli } from '../support/process';
import { apiClient, createNetwork, enrollPeer, expectStatus, HUB_KEY, redeemClaim } from '../support/api';
import { buildDist, newAdminToken, report, startReplica, type Replica } from '../support/replica';

/**
 * Backup and restore drill: a populated database is dumped with pg_dump (custom format) and
 * restored with pg_restore into a fresh database; an API process on the restored copy must serve
 * the same desired state (same revision, same peers, same keys) as the original. Runs on a Debian
 * Postgres 15 cluster of its own, because the embedded Postgres (18) ships no pg_dump and
 * Debian 12's pg_dump 15 refuses newer servers; the services migrate it, so this also proves the
 * migrations on Postgres 15.
 */
const missing = debianPostgresMissing();
if (missing && process.env.CI) {
  throw new Error(`the drill must run in CI: ${missing}`);
}
if (missing) {
  // eslint-disable-next-line no-console
  console.warn(`drill-backup-restore skipped: ${missing}`);
}

let cluster: DebianCluster;
let original: Replica;
let restored: Replica | undefined;
let adminToken: string;
let work: string;

beforeAll(async () => {
  if (missing) {
    return;
  }
  buildDist();
  cluster = await startDebianCluster();
  adminToken = newAdminToken();
  original = await startReplica(await cluster.createDatabase('wg_source'), adminToken);
  work = mkdtempSync(join(tmpdir(), 'wg-enroll-backup-'));
}, 180_000);

afterAll(async () => {
  if (missing) {
    return;
  }
  const codes = await Promise.all([original?.stop(), restored?.stop()]);
  cluster?.destroy();
  rmSync(work, { recursive: true, force: true });
  expect(codes.filter((c) => c !== undefined && c !== 0)).toEqual([]);
});

const desiredState = async (base: string) => {
  const res = await apiClient(base, adminToken).GET('/v1/networks/{network}/hub/desired-state', {
    params: { path: { network: 'office' } },
  });
  expect(res.response.status).toBe(200);
  return { etag: res.response.headers.get('etag'), body: res.data! };
};

describe.skipIf(missing)('pg_dump of a populated database, restored into a fresh one', () => {
  it('gives the same desired state: same revision, same peers and keys; claims still redeem', async () => {
    const version = execFileSync(join(PG_BIN, 'pg_dump'), ['--version'], { encoding: 'utf8' }).trim();
    const admin = apiClient(original.url, adminToken);
    await createNetwork(admin, {
      name: 'office',
      ipv4Cidr: '10.80.0.0/24',
      ipv6Cidr: 'fd00:80::/64',
      endpoint: 'hub.example.org:51820',
      hubPublicKey: HUB_KEY,
    });
    const peers = [];
    for (let i = 0; i < 20; i++) {
      peers.push((await enrollPeer(admin, 'office', { name: `p-${i}` })).peer);
    }
    for (const peer of peers.slice(0, 3)) {
      await expectStatus(200, admin.DELETE('/v1/peers/{id}', { params: { path: { id: peer.id } } }));
    }
    const pending = await enrollPeer(admin, 'office', { name: 'pending-link', delivery: 'link' });
    const before = await desiredState(original.url);
    expect(before.body.peers.length).toBe(17);

    // Back up while the service runs (pg_dump takes a consistent snapshot).
    const dump = join(work, 'wg_enroll.dump');
    execFileSync(join(PG_BIN, 'pg_dump'), ['--format=custom', '--file', dump, cluster.url('wg_source')]);
    const restoredUrl = await cluster.createDatabase('wg_restored');
    execFileSync(join(PG_BIN, 'pg_restore'), ['--exit-on-error', '--no-owner', '--dbname', restoredUrl, dump]);
    report(`[backup] ${version}: dump of 21 peers ${statSync(dump).size} bytes, restored into a fresh database`);

    restored = await startReplica(restoredUrl, adminToken);
    const after = await desiredState(restored.url);
    expect(after.etag).toBe(before.etag);
    expect(after.body).toEqual(before.body);

    // The encrypted private key of the pending link is readable with the same SECRET_KEY.
    await redeemClaim(apiClient(restored.url, undefined), pending.claim!.url);
    // And the revision goes on from where it was.
    const next = await desiredState(restored.url);
    expect(BigInt(next.body.revision)).toBe(BigInt(before.body.revision) + 1n);
  }, 120_000);

  it('without the same SECRET_KEY the restored database refuses to serve (back it up too)', async () => {
    const p = runCli(['serve'], {
      DATABASE_URL: cluster.url('wg_restored'),
      ADMIN_TOKEN: adminToken,
      SECRET_KEY: randomBytes(32).toString('base64'),
      HUB_LOCAL: 'false',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
    });
    expect(await p.exited).not.toBe(0);
    expect(p.output()).toContain('SECRET_KEY does not match');
    expect(p.output()).not.toContain('listening on');
  }, 60_000);
});
