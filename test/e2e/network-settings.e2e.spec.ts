import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestApp, type TestApp } from '../support/app';
import { Api, expectProblem } from '../support/api';

// Changing a network's settings after configs went out (PATCH /v1/networks/{network}): checked
// as on create, audited, configs served before keep their values and the status counts them,
// a reissue or a claim serves the new ones, and the hub agent sees a keepalive change.
const NET = 'setnet';

let t: TestApp;
let api: Api;
let agentToken: string;

beforeAll(async () => {
  t = await startTestApp();
  api = new Api(t);
  await api.createNetwork({
    name: NET,
    ipv4Cidr: '10.71.0.0/24',
    ipv6Cidr: 'fd00:71::/64',
    endpoint: '127.0.0.1:51820',
  });
  agentToken = (await api.token('agent', { network: NET })).token;
});
afterAll(async () => {
  await t?.close();
});

const patch = (body: Record<string, unknown>, network = NET) =>
  t.http.patch(`/v1/networks/${network}`).set(bearer(t.adminToken)).send(body);
const status = async () => (await t.http.get(`/v1/networks/${NET}/status`).set(bearer(t.adminToken)).expect(200)).body;
const desired = (headers: Record<string, string> = {}, query = '') =>
  t.http.get(`/v1/networks/${NET}/hub/desired-state${query}`).set(bearer(agentToken)).set(headers);
const line = (config: string, key: string) => new RegExp(`^${key} = (.*)$`, 'm').exec(config)?.[1] ?? null;

/** The network row and the audit log as they stand: nothing of it may change on bad input. */
async function snapshot() {
  const network = await t.sql.query(`SELECT * FROM network WHERE name = $1`, [NET]);
  const audit = await t.sql.query(`SELECT count(*)::int AS n FROM audit_event`);
  return { network: network.rows[0], audit: audit.rows[0].n };
}

describe('PATCH /v1/networks/{network}: the settings a served config carries', () => {
  it('refuses bad values as create does, and address ranges, name and hub port with their own code; nothing changes', async () => {
    const before = await snapshot();
    const bad: [Record<string, unknown>, string, string][] = [
      [{ endpoint: 'no-port' }, 'validation-failed', 'endpoint'],
      [{ endpoint: 'vpn.example.org:51820\nX' }, 'validation-failed', '(body)'],
      [{ dns: ['not a server'] }, 'validation-failed', 'dns'],
      [{ mtu: 100 }, 'validation-failed', 'mtu'],
      [{ persistentKeepalive: -1 }, 'validation-failed', 'persistentKeepalive'],
      [{ allowedIps: ['10.0.0.0/33'] }, 'validation-failed', 'allowedIps'],
      [{ endpoint: 'ok.example.org:1', bogus: 1 }, 'validation-failed', 'bogus'],
      [{ ipv4Cidr: '10.72.0.0/24' }, 'setting-not-changeable', 'ipv4Cidr'],
      [{ ipv6Cidr: 'fd00:72::/64', endpoint: 'ok.example.org:1' }, 'setting-not-changeable', 'ipv6Cidr'],
      [{ name: 'renamed' }, 'setting-not-changeable', 'name'],
      [{ listenPort: 4500 }, 'setting-not-changeable', 'listenPort'],
    ];
    for (const [body, code, field] of bad) {
      const res = await patch(body);
      expectProblem(res, 400, code);
      expect(
        res.body.errors.map((e: { field: string }) => e.field),
        JSON.stringify(res.body),
      ).toContain(field);
    }
    const ranges = await patch({ ipv4Cidr: '10.72.0.0/24' });
    expect(ranges.body.detail).toMatch(/live peers hold addresses of this range.*POST \/v1\/networks/);
    // An IPv6 DNS server on this dual-stack network is fine; on an IPv4-only one it is refused as on create.
    await api.createNetwork({ name: 'setnet4', ipv4Cidr: '10.73.0.0/24', ipv6Cidr: '' });
    expectProblem(await patch({ dns: ['fd00::53'] }, 'setnet4'), 400, 'validation-failed');
    expect(await snapshot()).toEqual({ ...before, audit: before.audit + 1 }); // setnet4's creation only
    const requester = await api.token('requester');
    const forbidden = await t.http
      .patch(`/v1/networks/${NET}`)
      .set(bearer(requester.token))
      .send({ endpoint: 'x.example.org:1' });
    expectProblem(forbidden, 403, 'forbidden');
    expect((await snapshot()).network).toEqual(before.network);
  });

  it('changes endpoint, DNS, MTU, keepalive and AllowedIPs; old configs keep theirs and are counted; reissue and claim serve the new ones', async () => {
    const old = await api.enroll(NET, t.adminToken, { name: 'old-laptop' });
    const oldToo = await api.enroll(NET, t.adminToken, { name: 'old-desktop' });
    const link = await api.enroll(NET, t.adminToken, { name: 'link-later', delivery: 'link' });
    expect(old.body.peer.settingsRevision).toBe('1');
    expect(link.body.peer.settingsRevision).toBeNull();
    expect(line(old.body.config.text, 'Endpoint')).toBe('127.0.0.1:51820');
    const start = await status();
    expect(start.settingsRevision).toBe('1');
    expect(start.peers.olderSettings).toBe(0);
    const desiredBefore = await desired();

    const res = await patch({
      endpoint: 'vpn.example.org:51820',
      dns: ['10.71.0.1', 'fd00:71::1', 'lab.example.org'],
      mtu: 1380,
      persistentKeepalive: 15,
      allowedIps: ['10.71.0.0/24', 'fd00:71::/64', '192.168.50.0/24'],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      endpoint: 'vpn.example.org:51820',
      dns: ['10.71.0.1', 'fd00:71::1', 'lab.example.org'],
      mtu: 1380,
      persistentKeepalive: 15,
      allowedIps: ['10.71.0.0/24', 'fd00:71::/64', '192.168.50.0/24'],
      settingsRevision: '2',
      ipv4Cidr: '10.71.0.0/24',
      listenPort: 51820,
    });

    // Audited with each change before and after.
    const audit = await t.http
      .get('/v1/audit')
      .query({ action: 'network.updated' })
      .set(bearer(t.adminToken))
      .expect(200);
    const event = audit.body.items.find((e: { targetId: string }) => e.targetId === res.body.id);
    expect(event.details).toEqual({
      settings: {
        endpoint: { before: '127.0.0.1:51820', after: 'vpn.example.org:51820' },
        dns: { before: '(none)', after: '10.71.0.1,fd00:71::1,lab.example.org' },
        mtu: { before: '(none)', after: '1380' },
        persistentKeepalive: { before: '30', after: '15' },
        allowedIps: { before: '10.71.0.0/24,fd00:71::/64', after: '10.71.0.0/24,fd00:71::/64,192.168.50.0/24' },
      },
      settingsRevision: '2',
    });

    // The two inline peers got their configs with the old settings: counted, and flagged per peer.
    const after = await status();
    expect(after.settingsRevision).toBe('2');
    expect(after.peers.olderSettings).toBe(2);
    const item = (id: string) => after.items.find((p: { id: string }) => p.id === id);
    expect(item(old.body.peer.id)).toMatchObject({ olderSettings: true, settingsRevision: '1' });
    expect(item(oldToo.body.peer.id)).toMatchObject({ olderSettings: true });
    const peerRead = await t.http.get(`/v1/peers/${old.body.peer.id}`).set(bearer(t.adminToken)).expect(200);
    expect(peerRead.body.settingsRevision).toBe('1');

    // The claim link redeemed now serves the new settings and records them.
    const claimed = await api.claim(link.body.claim.url);
    expect(claimed.status).toBe(200);
    expect(line(claimed.body.config.text, 'Endpoint')).toBe('vpn.example.org:51820');
    expect(line(claimed.body.config.text, 'DNS')).toBe('10.71.0.1, fd00:71::1, lab.example.org');
    expect(line(claimed.body.config.text, 'MTU')).toBe('1380');
    expect(line(claimed.body.config.text, 'PersistentKeepalive')).toBe('15');
    expect(line(claimed.body.config.text, 'AllowedIPs')).toBe('10.71.0.0/24, fd00:71::/64, 192.168.50.0/24');
    expect(claimed.body.peer.settingsRevision).toBe('2');

    // A reissue hands the old device the new settings and takes it off the count.
    const re = await t.http.post(`/v1/peers/${old.body.peer.id}/reissue`).set(bearer(t.adminToken)).send({});
    expect(re.status, JSON.stringify(re.body)).toBe(201);
    expect(line(re.body.config.text, 'Endpoint')).toBe('vpn.example.org:51820');
    expect(line(re.body.config.text, 'MTU')).toBe('1380');
    expect(re.body.peer.settingsRevision).toBe('2');
    const reissued = await status();
    expect(reissued.peers.olderSettings).toBe(1);
    expect(
      reissued.items.filter((p: { olderSettings: boolean }) => p.olderSettings).map((p: { id: string }) => p.id),
    ).toEqual([oldToo.body.peer.id]);
    // A new enrollment gets the new settings at once.
    const fresh = await api.enroll(NET, t.adminToken, { name: 'new-phone' });
    expect(line(fresh.body.config.text, 'Endpoint')).toBe('vpn.example.org:51820');
    expect(fresh.body.peer.settingsRevision).toBe('2');

    // The keepalive is part of the hub's desired state (the agent's duplicate window): bumped.
    const desiredAfter = await desired();
    expect(BigInt(desiredAfter.body.revision)).toBeGreaterThan(BigInt(desiredBefore.body.revision));
    expect(desiredAfter.body.interface.persistentKeepalive).toBe(15);
  });

  it('the same values again change nothing; a node-only setting leaves the desired state alone; a keepalive change wakes a waiting agent', async () => {
    const before = await status();
    const same = await patch({ endpoint: 'vpn.example.org:51820', mtu: 1380 });
    expect(same.status).toBe(200);
    expect(same.body.settingsRevision).toBe(before.settingsRevision);

    const first = await desired();
    const endpointOnly = await patch({ endpoint: 'hub.example.org:51820' });
    expect(endpointOnly.body.settingsRevision).toBe(String(BigInt(before.settingsRevision) + 1n));
    expect((await desired()).body.revision).toBe(first.body.revision);
    expect((await status()).peers.olderSettings).toBe(before.peers.active);

    // mtu null and dns [] take the lines out; allowedIps [] goes back to the network's ranges.
    const cleared = await patch({ mtu: null, dns: [], allowedIps: [] });
    expect(cleared.body).toMatchObject({ mtu: null, dns: [], allowedIps: ['10.71.0.0/24', 'fd00:71::/64'] });
    const plain = await api.enroll(NET, t.adminToken, { name: 'plain' });
    expect(line(plain.body.config.text, 'MTU')).toBeNull();
    expect(line(plain.body.config.text, 'DNS')).toBeNull();

    // The agent's long-poll at the current revision answers when the keepalive changes.
    const current = await desired();
    const poll = desired({ 'If-None-Match': current.headers.etag }, '?wait=20');
    await new Promise((r) => setTimeout(r, 300));
    const patchedAt = Date.now();
    expect((await patch({ persistentKeepalive: 0 })).status).toBe(200);
    const woke = await poll;
    expect(woke.status).toBe(200);
    expect(Date.now() - patchedAt).toBeLessThan(5000);
    expect(woke.body.interface.persistentKeepalive).toBe(0);
  });
});
