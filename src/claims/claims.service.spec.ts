import { describe, expect, it } from 'vitest';
import type { Principal } from '../domain/principal/principal';
import { DomainError } from '../domain/problems/problems';
import { EnrollmentService } from '../enrollment/enrollment.service';
import type { EnrollmentRepository } from '../enrollment/enrollment.repository';
import type { MetricsService } from '../metrics/metrics.service';
import type { NetworksService } from '../networks/networks.service';
import type { PeersRepository } from '../peers/peers.repository';
import { PeersService } from '../peers/peers.service';
import {
  FakeClaimsRepository,
  FakeEnrollmentRepository,
  FakeMetrics,
  FakeNetworksService,
  FakePeersRepository,
  network,
  secrets,
  Store,
} from '../testing/fakes';
import type { ClaimsRepository } from './claims.repository';
import { ClaimsService } from './claims.service';

const admin: Principal = { kind: 'token', id: '0190f2a0-0000-7000-8000-000000000001', role: 'admin', networkId: null };

async function setup() {
  const store = new Store();
  const net = store.addNetwork(network());
  const metrics = new FakeMetrics();
  const box = secrets();
  const networks = new FakeNetworksService(store) as unknown as NetworksService;
  const peers = new PeersService(
    { leaseCooldownMs: 0 },
    new FakePeersRepository(store) as unknown as PeersRepository,
    networks,
  );
  const enrollment = new EnrollmentService(
    { claimTtlMs: 3_600_000, publicUrl: 'https://e.example' },
    new FakeEnrollmentRepository(store) as unknown as EnrollmentRepository,
    peers,
    networks,
    box,
    metrics as unknown as MetricsService,
  );
  const claims = new ClaimsService(
    new FakeClaimsRepository(store) as unknown as ClaimsRepository,
    networks,
    box,
    metrics as unknown as MetricsService,
  );
  const enrolled = await enrollment.enroll(admin, net, { name: 'phone', delivery: 'link' });
  const token = (enrolled as { claim: { url: string } }).claim.url.split('/claim/')[1];
  const peerId = (enrolled as { peer: { id: string } }).peer.id;
  return { store, metrics, claims, token, peerId };
}

async function code(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return (error as DomainError).code;
}

describe('ClaimsService (in-memory repositories)', () => {
  it('serves once: the config with the private key, then config-already-served (audited, counted)', async () => {
    const { store, metrics, claims, token } = await setup();
    expect(await claims.pageState(token)).toMatchObject({ state: 'ready', name: 'phone', network: 'office', at: null });
    const served = await claims.redeem(token);
    expect(served.text).toMatch(/^PrivateKey = [A-Za-z0-9+/]{43}=$/m);
    expect(await code(claims.redeem(token))).toBe('config-already-served');
    expect(store.audit.map((e) => e.action).slice(-2)).toEqual(['peer.config-served', 'peer.claim-refused']);
    expect(metrics.claims).toEqual(['served', 'config-already-served']);
    expect((await claims.pageState(token))?.state).toBe('served');
  });

  it('refuses revoked and expired claims with their own codes, and unknown tokens with claim-not-found', async () => {
    const { store, claims, token, peerId } = await setup();
    const peer = store.peers.get(peerId)!;
    store.peers.set(peerId, { ...peer, claimExpiresAt: new Date(Date.now() - 1000) });
    expect((await claims.pageState(token))?.state).toBe('expired');
    expect(await code(claims.redeem(token))).toBe('claim-expired');
    store.peers.set(peerId, { ...peer, status: 'revoked', revokedAt: new Date() });
    expect((await claims.pageState(token))?.state).toBe('revoked');
    expect(await code(claims.redeem(token))).toBe('peer-revoked');
    expect(await claims.pageState('claim_unknown')).toBeNull();
    expect(await code(claims.redeem('claim_unknown'))).toBe('claim-not-found');
  });
});
