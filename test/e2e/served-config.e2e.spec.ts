import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/domain/keys/x25519';
import { insertPrivateKey } from '../../src/domain/render/peer-config';
import { bearer, startTestApp, type TestApp } from '../support/app';
import { Api } from '../support/api';

let t: TestApp;
let api: Api;
let dir: string;

beforeAll(async () => {
  t = await startTestApp();
  api = new Api(t);
  dir = mkdtempSync(join(tmpdir(), 'wg-enroll-served-'));
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

describe('config file names', () => {
  it('never collide among live peers of a network, stay readable and need no escaping', async () => {
    await api.createNetwork({ name: 'names', ipv4Cidr: '10.61.0.0/24' });
    const names = ['alice-laptop', 'alice-laptop-2', 'lab-pc-01', 'lab-pc-02', 'Alice Laptop', 'con'];
    const served: string[] = [];
    for (const name of names) {
      const res = await api.enroll('names', t.adminToken, { name });
      expect(res.status).toBe(201);
      served.push(res.body.config.filename);
    }
    expect(served).toEqual([
      'alice_laptop.conf',
      'alice_laptop_2.conf',
      'lab_pc_01.conf',
      'lab_pc_02.conf',
      'alice_laptop_3.conf',
      'con_2.conf',
    ]);
    // Twelve devices of one name at once: twelve names.
    const same = await Promise.all(
      Array.from({ length: 12 }, () => api.enroll('names', t.adminToken, { name: 'Lab PC 01' })),
    );
    expect(same.map((r) => r.status)).toEqual(Array(12).fill(201));
    const sameNames = same.map((r) => r.body.config.filename as string);
    expect(new Set([...served, ...sameNames]).size).toBe(served.length + 12);
    expect(sameNames.sort()).toEqual(
      ['lab_pc_01_2', ...Array.from({ length: 11 }, (_, i) => `lab_pc_01_${i + 3}`)].map((n) => `${n}.conf`).sort(),
    );
    // The database refuses a second live peer with a name, whoever writes it.
    const dup = await t.sql
      .query(
        `UPDATE peer SET config_name = 'alice_laptop'
         WHERE config_name = 'lab_pc_01' AND network_id = (SELECT id FROM network WHERE name = 'names')`,
      )
      .catch((e: { code?: string; constraint?: string }) => e);
    expect(dup).toMatchObject({ code: '23505', constraint: 'peer_live_config_name_key' });
    // A revoked peer's name is free again.
    const first = await t.sql.query(
      `SELECT id FROM peer WHERE config_name = 'alice_laptop' AND status = 'active'
         AND network_id = (SELECT id FROM network WHERE name = 'names')`,
    );
    await t.http.delete(`/v1/peers/${first.rows[0].id}`).set(bearer(t.adminToken)).expect(200);
    const again = await api.enroll('names', t.adminToken, { name: 'alice-laptop' });
    expect(again.body.config.filename).toBe('alice_laptop.conf');
    // The same name in another network is that network's business.
    const other = await api.enroll('default', t.adminToken, { name: 'lab-pc-01' });
    expect(other.body.config.filename).toBe('lab_pc_01.conf');

    if (has('systemd-escape')) {
      for (const filename of [...served, ...sameNames]) {
        const stem = filename.slice(0, -'.conf'.length);
        expect(execFileSync('systemd-escape', [stem], { encoding: 'utf8' }).trim()).toBe(stem);
      }
    } else {
      // eslint-disable-next-line no-console
      console.warn('systemd-escape check skipped: systemd-escape is not installed');
    }
  });
});

describe('a config served with the peer', () => {
  it('is never served before it was created', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await api.enroll('default', t.adminToken, { name: `served-${i}` });
      const peer = res.body.peer;
      expect(Date.parse(peer.servedAt), JSON.stringify(peer)).toBeGreaterThanOrEqual(Date.parse(peer.createdAt));
    }
  });

  it("names the hub's addresses, so the tunnel check works in a network larger than /24", async () => {
    await api.createNetwork({ name: 'wide', ipv4Cidr: '10.60.0.0/16', ipv6Cidr: 'fd00:60::/64' });
    const res = await api.enroll('wide', t.adminToken, { name: 'far-node', address: '10.60.3.7' });
    expect(res.body.peer.addresses).toEqual(['10.60.3.7/16', 'fd00:60::307/64']);
    expect(res.body.config.hubAddresses).toEqual(['10.60.0.1', 'fd00:60::1']);
    expect(res.body.config.text).toMatch(
      /\n# The hub in the tunnel: 10\.60\.0\.1, fd00:60::1\. Check the tunnel with: ping 10\.60\.0\.1\n$/,
    );
    expect(res.body.config.privateKeyIncluded).toBe(true);
    const text = await api.enroll('wide', t.adminToken, { name: 'far-node-2' }, 'text/plain');
    expect(text.text).toContain('# The hub in the tunnel: 10.60.0.1, fd00:60::1.');
  });
});

// wg-quick up on the served file, in a network namespace of its own with wireguard-go.
const canUp = has('wg-quick') && has('wireguard-go') && spawnSync('unshare', ['-n', 'true']).status === 0;
if (!canUp) {
  // eslint-disable-next-line no-console
  console.warn('own-key wg-quick up proof skipped: needs root (unshare -n), wg-quick and wireguard-go');
}

describe('a config for a node that sent its own public key', () => {
  it('says the key is not in it, and its PrivateKey line is no key', async () => {
    const keys = generateKeyPair();
    const res = await api.enroll('default', t.adminToken, { name: 'own-key-node', publicKey: keys.publicKey });
    expect(res.status).toBe(201);
    expect(res.body.config.privateKeyIncluded).toBe(false);
    expect(res.body.config.text).toMatch(/^PrivateKey = <the private key that belongs to the public key you sent>$/m);
    expect(res.body.config.text).not.toMatch(/^#\s*PrivateKey/m);
  });

  it.skipIf(!canUp)(
    'fails wg-quick up loudly until the key is put in; with it, the interface comes up',
    async () => {
      const keys = generateKeyPair();
      const res = await api.enroll('default', t.adminToken, { name: 'own-key-up', publicKey: keys.publicKey });
      const up = (text: string) => {
        const file = join(dir, 'wgenrollown0.conf');
        writeFileSync(file, text, { mode: 0o600 });
        // One shell in a fresh network namespace: up, show, down; the namespace goes with it.
        return spawnSync(
          'unshare',
          ['-n', 'sh', '-c', 'wg-quick up "$1" && wg show wgenrollown0 public-key && wg-quick down "$1"', 'sh', file],
          {
            encoding: 'utf8',
            env: { ...process.env, WG_QUICK_USERSPACE_IMPLEMENTATION: 'wireguard-go', WG_SUDO: '1' },
            timeout: 30_000,
          },
        );
      };
      const served = up(res.body.config.text);
      expect(served.status, served.stderr).not.toBe(0);
      expect(served.stderr).toMatch(/Key is not the correct length or format/);
      expect(served.stdout).not.toContain(keys.publicKey);
      const filled = up(insertPrivateKey(res.body.config.text, keys.privateKey));
      expect(filled.status, filled.stderr).toBe(0);
      expect(filled.stdout.trim()).toBe(keys.publicKey);
    },
    60_000,
  );
});
