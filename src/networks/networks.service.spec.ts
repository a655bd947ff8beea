import type { RevisionTicker } from '../database/revision-ticker';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../domain/ids/uuid';
import { generateKeyPair } from '../domain/keys/x25519';
import type { Principal } from '../domain/principal/principal';
import type { IpamRepository } from '../ipam/ipam.repository';
import { FakeIpamRepository, FakeNetworksRepository } from '../testing/fake-networks';
import { problemCode, Store } from '../testing/fakes';
import type { NetworksRepository } from './networks.repository';
import { NetworksService } from './networks.service';

const admin: Principal = { kind: 'token', id: uuidv7(), role: 'admin', networkId: null };
const agentOf = (networkId: string): Principal => ({ kind: 'token', id: uuidv7(), role: 'agent', networkId });

function setup() {
  const store = new Store();
  const service = new NetworksService(
    new FakeNetworksRepository(store) as unknown as NetworksRepository,
    new FakeIpamRepository(store) as unknown as IpamRepository,
    { stamp: () => Promise.resolve(null) } as unknown as RevisionTicker,
  );
  const create = (name: string, ipv4Cidr = '10.20.0.0/29') =>
    service.create(admin, { name, ipv4Cidr, endpoint: 'vpn.example.org:51820' });
  return { store, service, create };
}

describe('NetworksService (in-memory repositories)', () => {
  it('creates a network with its leasable hosts in the pool and one audit event', async () => {
    const { store, service, create } = setup();
    const office = await create('office');
    expect(office.revision).toBe(1n);
    // A /29 leases hosts 2..6: .0 is the network, .1 the hub, .7 the broadcast address.
    expect([...store.free.get(office.id)!].sort()).toEqual([2, 3, 4, 5, 6]);
    expect(store.audit).toEqual([
      expect.objectContaining({ action: 'network.created', networkId: office.id, details: { name: 'office' } }),
    ]);
    const view = await service.view(office, true);
    expect(view.pool).toEqual({ size: 5, leased: 0, free: 5, cooling: 0 });
    expect(view.revision).toBe('1');
  });

  it('refuses a bad spec with every field problem, a bad hub key and a taken name, writing nothing', async () => {
    const { store, service, create } = setup();
    const bad = service.create(admin, { name: 'Bad Name', ipv4Cidr: '10.0.0.0/33', endpoint: 'nowhere' });
    expect(await problemCode(bad)).toBe('validation-failed');
    const badKey = service.create(admin, {
      name: 'office',
      ipv4Cidr: '10.20.0.0/29',
      endpoint: 'vpn.example.org:51820',
      hubPublicKey: 'not-a-key',
    });
    expect(await problemCode(badKey)).toBe('invalid-public-key');
    expect(store.networks.size).toBe(0);
    await create('office');
    expect(await problemCode(create('office', '10.30.0.0/29'))).toBe('network-exists');
    expect(store.networks.size).toBe(1);
    expect(store.audit).toHaveLength(1);
  });

  it('resolves a name for admins and for tokens of that network only; others get network-not-found', async () => {
    const { service, create } = setup();
    const office = await create('office');
    const lab = await create('lab', '10.30.0.0/29');
    expect((await service.resolve(admin, 'office')).id).toBe(office.id);
    expect((await service.resolve(agentOf(office.id), 'office')).id).toBe(office.id);
    expect(await problemCode(service.resolve(agentOf(lab.id), 'office'))).toBe('network-not-found');
    expect(await problemCode(service.resolve(admin, 'nowhere'))).toBe('network-not-found');
  });

  it('registers a hub key once; the same key again changes nothing, a different one needs an admin', async () => {
    const { store, service, create } = setup();
    await create('office');
    const first = generateKeyPair().publicKey;
    const agent = agentOf([...store.networks.keys()][0]);
    const registered = await service.putHub(agent, 'office', { publicKey: first });
    expect(registered.hubPublicKey).toBe(first);
    expect(registered.revision).toBe(2n);
    expect((await service.putHub(agent, 'office', { publicKey: first })).revision).toBe(2n);

    const second = generateKeyPair().publicKey;
    expect(await problemCode(service.putHub(agent, 'office', { publicKey: second }))).toBe('hub-key-change-refused');
    expect(await problemCode(service.putHub(agent, 'office', { publicKey: second, replaceKey: true }))).toBe(
      'forbidden',
    );
    expect(await problemCode(service.putHub(admin, 'office', { publicKey: 'nope' }))).toBe('invalid-public-key');
    const replaced = await service.putHub(admin, 'office', { publicKey: second, replaceKey: true });
    expect(replaced.hubPublicKey).toBe(second);
    expect(store.audit.filter((e) => e.action === 'network.hub-registered')).toHaveLength(2);
  });

  it('require() fails loudly for a network that vanished (a peer or token always has one)', async () => {
    const { service } = setup();
    await expect(service.require(uuidv7())).rejects.toThrow(/vanished/);
  });
});
