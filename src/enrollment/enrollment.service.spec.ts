import { describe, expect, it } from 'vitest';
import type { Principal } from '../domain/principal/principal';
import { hashSecret } from '../domain/tokens/tokens';
import { network, problemCode, services, Store } from '../testing/fakes';
import type { EnrollmentService } from './enrollment.service';
import { Replayed } from './idempotency';

const admin: Principal = { kind: 'token', id: '0190f2a0-0000-7000-8000-000000000001', role: 'admin', networkId: null };
const requester: Principal = {
  kind: 'token',
  id: '0190f2a0-0000-7000-8000-000000000002',
  role: 'requester',
  networkId: null,
};

function setup() {
  const store = new Store();
  const net = store.addNetwork(network());
  const { metrics, enrollment: service } = services(store);
  return { store, net, metrics, service };
}

describe('EnrollmentService (in-memory repositories)', () => {
  it('inline: the config carries the generated private key once; the stored peer has no private key', async () => {
    const { store, net, metrics, service } = setup();
    const result = await service.enroll(admin, net, { name: 'laptop', delivery: 'inline' });
    expect(result).not.toBeInstanceOf(Replayed);
    const body = result as Exclude<typeof result, Replayed>;
    expect(body.peer.status).toBe('active');
    expect(body.config?.text).toMatch(/^PrivateKey = [A-Za-z0-9+/]{43}=$/m);
    const stored = store.peers.get(body.peer.id)!;
    expect(stored.privateKeyEnc).toBeNull();
    expect(JSON.stringify(store.audit)).not.toContain(body.config!.text.match(/PrivateKey = (\S+)/)![1]);
    expect(metrics.enrollments).toEqual(['office:inline']);
  });

  it('link: a claim URL under PUBLIC_URL whose hash is stored, the private key sealed, the claim ending at expiresAt if sooner', async () => {
    const { store, net, service } = setup();
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const body = (await service.enroll(admin, net, { name: 'phone', delivery: 'link', expiresAt })) as Exclude<
      Awaited<ReturnType<EnrollmentService['enroll']>>,
      Replayed
    >;
    expect(body.config).toBeUndefined();
    const token = body.claim!.url.replace('https://enroll.example.org/claim/', '');
    const stored = store.peers.get(body.peer.id)!;
    expect(stored.status).toBe('pending');
    expect(stored.claimTokenHash).toBe(hashSecret(token));
    expect(stored.privateKeyEnc).not.toBeNull();
    expect(stored.claimExpiresAt!.toISOString()).toBe(expiresAt);
  });

  it('refuses before storing anything: hub not registered, a pinned address from a non-admin or out of range', async () => {
    const { store, net, service } = setup();
    const noHub = store.addNetwork(network({ name: 'nohub', hubPublicKey: null }));
    expect(await problemCode(service.enroll(admin, noHub, { name: 'a', delivery: 'inline' }))).toBe(
      'hub-not-registered',
    );
    expect(
      await problemCode(service.enroll(requester, net, { name: 'a', delivery: 'inline', address: '10.8.0.3' })),
    ).toBe('forbidden');
    expect(await problemCode(service.enroll(admin, net, { name: 'a', delivery: 'inline', address: '10.8.0.1' }))).toBe(
      'address-out-of-range',
    );
    expect(await problemCode(service.enroll(admin, net, { name: 'a', delivery: 'inline', address: 'nonsense' }))).toBe(
      'validation-failed',
    );
    expect(store.peers.size).toBe(0);
  });

  it('passes pool exhaustion through as pool-exhausted', async () => {
    const { store, net, service } = setup();
    store.free.set(net.id, new Set());
    expect(await problemCode(service.enroll(admin, net, { name: 'a', delivery: 'inline' }))).toBe('pool-exhausted');
  });

  it('Idempotency-Key: a retry of a pending link gets the peer without the link; of an inline config 409; another body 422', async () => {
    const { net, service } = setup();
    const first = await service.enroll(admin, net, { name: 'l', delivery: 'link' }, 'key-1');
    const retry = await service.enroll(admin, net, { name: 'l', delivery: 'link' }, 'key-1');
    expect(retry).toBeInstanceOf(Replayed);
    expect((retry as Replayed).body).toEqual({
      peer: (first as { peer: unknown }).peer,
      hub: { applied: false, revision: null },
    });
    expect(JSON.stringify((retry as Replayed).body)).not.toContain('/claim/');

    await service.enroll(admin, net, { name: 'i', delivery: 'inline' }, 'key-2');
    expect(await problemCode(service.enroll(admin, net, { name: 'i', delivery: 'inline' }, 'key-2'))).toBe(
      'idempotent-replay',
    );
    expect(await problemCode(service.enroll(admin, net, { name: 'other', delivery: 'inline' }, 'key-2'))).toBe(
      'idempotency-key-reused',
    );
  });

  it('reissue: new keys for a live peer; a revoked peer is peer-not-live', async () => {
    const { store, net, service } = setup();
    const first = (await service.enroll(admin, net, { name: 'r', delivery: 'inline' })) as {
      peer: { id: string; publicKey: string };
    };
    const again = await service.reissue(admin, first.peer.id, { delivery: 'inline' });
    expect(again.peer.publicKey).not.toBe(first.peer.publicKey);
    store.peers.set(first.peer.id, { ...store.peers.get(first.peer.id)!, status: 'revoked' });
    expect(await problemCode(service.reissue(admin, first.peer.id, { delivery: 'inline' }))).toBe('peer-not-live');
  });
});
