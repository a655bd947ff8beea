import { describe, expect, it } from 'vitest';
import type { Principal } from '../domain/principal/principal';
import { network, problemCode, services, Store } from '../testing/fakes';

const admin: Principal = { kind: 'token', id: '0190f2a0-0000-7000-8000-000000000001', role: 'admin', networkId: null };

async function setup() {
  const store = new Store();
  const net = store.addNetwork(network());
  const { metrics, enrollment, claims } = services(store, { leaseCooldownMs: 0, claimTtlMs: 3_600_000 });
  const enrolled = await enrollment.enroll(admin, net, { name: 'phone', delivery: 'link' });
  const token = (enrolled as { claim: { url: string } }).claim.url.split('/claim/')[1];
  const peerId = (enrolled as { peer: { id: string } }).peer.id;
  return { store, metrics, claims, token, peerId };
}

describe('ClaimsService (in-memory repositories)', () => {
  it('serves once: the config with the private key, then config-already-served (audited, counted)', async () => {
    const { store, metrics, claims, token } = await setup();
    expect(await claims.pageState(token)).toMatchObject({ state: 'ready', name: 'phone', network: 'office', at: null });
    const served = await claims.redeem(token);
    expect(served.text).toMatch(/^PrivateKey = [A-Za-z0-9+/]{43}=$/m);
    expect(await problemCode(claims.redeem(token))).toBe('config-already-served');
    expect(store.audit.map((e) => e.action).slice(-2)).toEqual(['peer.config-served', 'peer.claim-refused']);
    expect(metrics.claims).toEqual(['served', 'config-already-served']);
    expect((await claims.pageState(token))?.state).toBe('served');
  });

  it('refuses revoked and expired claims with their own codes, and unknown tokens with claim-not-found', async () => {
    const { store, claims, token, peerId } = await setup();
    const peer = store.peers.get(peerId)!;
    store.peers.set(peerId, { ...peer, claimExpiresAt: new Date(Date.now() - 1000) });
    expect((await claims.pageState(token))?.state).toBe('expired');
    expect(await problemCode(claims.redeem(token))).toBe('claim-expired');
    store.peers.set(peerId, { ...peer, status: 'revoked', revokedAt: new Date() });
    expect((await claims.pageState(token))?.state).toBe('revoked');
    expect(await problemCode(claims.redeem(token))).toBe('peer-revoked');
    expect(await claims.pageState('claim_unknown')).toBeNull();
    expect(await problemCode(claims.redeem('claim_unknown'))).toBe('claim-not-found');
  });
});
