import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../domain/ids/uuid';
import type { Principal } from '../domain/principal/principal';
import type { NetworksService } from '../networks/networks.service';
import type { RevisionTicker } from '../database/revision-ticker';
import { FakeNetworksService, FakePeersRepository, FakeTicker, network, problemCode, Store } from '../testing/fakes';
import type { PeersRepository } from './peers.repository';
import { PeersService } from './peers.service';

const admin: Principal = { kind: 'token', id: uuidv7(), role: 'admin', networkId: null };
const alice: Principal = { kind: 'token', id: uuidv7(), role: 'requester', networkId: null };
const bob: Principal = { kind: 'token', id: uuidv7(), role: 'requester', networkId: null };

function setup() {
  const store = new Store();
  const net = store.addNetwork(network());
  const ticker = new FakeTicker();
  const service = new PeersService(
    { leaseCooldownMs: 1000 },
    new FakePeersRepository(store) as unknown as PeersRepository,
    new FakeNetworksService(store) as unknown as NetworksService,
    ticker as unknown as RevisionTicker,
  );
  const add = (owner: Principal, host: number) => {
    const id = uuidv7();
    store.peers.set(id, {
      id,
      networkId: net.id,
      name: `p${host}`,
      configName: `p${host}`,
      ownerId: `token:${owner.id}`,
      hostNumber: host,
      ipv4: `10.8.0.${host}`,
      ipv6: null,
      publicKey: 'k',
      presharedKeyEnc: new Uint8Array(),
      privateKeyEnc: null,
      claimTokenHash: null,
      status: 'active',
      delivery: 'inline',
      claimExpiresAt: null,
      servedAt: new Date(),
      settingsRevision: 1n,
      expiresAt: null,
      revokedAt: null,
      revision: 1n,
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    store.free.get(net.id)!.delete(host);
    return id;
  };
  return { store, net, service, add, ticker };
}

describe('PeersService (in-memory repositories)', () => {
  it('a requester sees their own peers only; others are peer-not-found', async () => {
    const { service, add } = setup();
    const mine = add(alice, 2);
    expect((await service.getView(alice, mine)).id).toBe(mine);
    expect((await service.getView(admin, mine)).id).toBe(mine);
    expect(await problemCode(service.getView(bob, mine))).toBe('peer-not-found');
    expect(await problemCode(service.getView(admin, uuidv7()))).toBe('peer-not-found');
  });

  it('lists in id order, a page at a time, with a cursor to the next page', async () => {
    const { net, service, add } = setup();
    const [a, b, c] = [add(alice, 2), add(alice, 3), add(bob, 4)];
    const ids = [a, b, c].sort();
    const first = await service.list(admin, net, { limit: 2 });
    expect(first.items.map((p) => p.id)).toEqual(ids.slice(0, 2));
    const second = await service.list(admin, net, { limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((p) => p.id)).toEqual(ids.slice(2));
    expect(second.nextCursor).toBeNull();
    expect((await service.list(bob, net, { limit: 10 })).items.map((p) => p.id)).toEqual([c]);
  });

  it('revokes once: the address goes back, a second revoke changes nothing', async () => {
    const { store, net, service, add } = setup();
    const id = add(alice, 2);
    expect((await service.revoke(alice, id)).status).toBe('revoked');
    expect(store.free.get(net.id)!.has(2)).toBe(true);
    const events = store.audit.length;
    expect((await service.revoke(alice, id)).status).toBe('revoked');
    expect(store.audit.length).toBe(events);
  });

  it('asks for the revision stamp of the network after a revoke, so the hub hears of it at once', async () => {
    const { net, service, add, ticker } = setup();
    const id = add(alice, 3);
    expect(ticker.poked).toEqual([]);
    await service.revoke(alice, id);
    expect(ticker.poked).toEqual([net.id]);
  });
});
