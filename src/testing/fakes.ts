/* eslint-disable @typescript-eslint/require-await -- the fakes keep the async signatures of the repositories they stand in for */
/**
 * In-memory stand-ins for the repositories, for the unit tier (service specs that run without
 * Postgres). They keep only what the services read back; the real SQL, its locks and its
 * unique indexes are proven by the end-to-end specs under test/ on real Postgres.
 */
import type { HubApplyService } from '../hub/hub-apply.service';
import type { RevisionTicker } from '../database/revision-ticker';
import type { AuditInput } from '../audit/audit.repository';
import type { ClaimsRepository, ServedClaim } from '../claims/claims.repository';
import { ClaimsService } from '../claims/claims.service';
import { DataFiles } from '../database/data-files';
import type {
  EnrollCommand,
  Enrolled,
  EnrollmentRepository,
  IdempotentRecord,
  KeyMaterial,
} from '../enrollment/enrollment.repository';
import { EnrollmentService } from '../enrollment/enrollment.service';
import type { MetricsService } from '../metrics/metrics.service';
import type { NetworksService } from '../networks/networks.service';
import { PeersService } from '../peers/peers.service';
import { uuidv7 } from '../domain/ids/uuid';
import { generateKeyPair } from '../domain/keys/x25519';
import { peerAddresses } from '../domain/network/network-spec';
import { isLive } from '../domain/peer/lifecycle';
import { DomainError, Problems } from '../domain/problems/problems';
import { allocateConfigName } from '../domain/text/text';
import type { NetworkRecord } from '../networks/networks.repository';
import type { PeerRecord, PeersRepository } from '../peers/peers.repository';
import { SecretsService } from '../secrets/secrets.service';

export function network(overrides: Partial<NetworkRecord> = {}): NetworkRecord {
  return {
    id: uuidv7(),
    name: 'office',
    ipv4Cidr: '10.8.0.0/29',
    ipv6Cidr: 'fd00:8::/64',
    endpoint: 'vpn.example.org:51820',
    listenPort: 51820,
    persistentKeepalive: 25,
    dns: [],
    mtu: null,
    allowedIps: ['10.8.0.0/29'],
    hubPublicKey: generateKeyPair().publicKey,
    revision: 1n,
    appliedRevision: null,
    appliedConfigSha256: null,
    agentLastSeenAt: null,
    applyState: null,
    applyProblem: null,
    quarantineDuplicates: false,
    settingsRevision: 1n,
    selfService: false,
    devicesPerUser: 5,
    createdAt: new Date(),
    updatedAt: new Date(),
    ...overrides,
  };
}

/** A SecretsService with a fixed key (no data folder). */
export function secrets(): SecretsService {
  const service = new SecretsService({ secretKey: Buffer.alloc(32, 7) }, {} as DataFiles);
  service.onModuleInit();
  return service;
}

/** The store behind the fakes: peers, networks, audit events, the free pool, idempotency keys. */
export class Store {
  readonly peers = new Map<string, PeerRecord & { privateKeyEnc: Uint8Array | null; claimTokenHash: string | null }>();
  readonly networks = new Map<string, NetworkRecord>();
  readonly audit: AuditInput[] = [];
  readonly free = new Map<string, Set<number>>();
  readonly idempotency = new Map<string, IdempotentRecord>();

  addNetwork(n: NetworkRecord, hosts: number[] = [2, 3, 4, 5, 6]): NetworkRecord {
    this.networks.set(n.id, n);
    this.free.set(n.id, new Set(hosts));
    return n;
  }
}

export class FakeNetworksService {
  constructor(private readonly store: Store) {}

  async require(id: string): Promise<NetworkRecord> {
    const n = this.store.networks.get(id);
    if (n === undefined) {
      throw new Error(`network ${id} vanished`);
    }
    return n;
  }
}

export class FakeEnrollmentRepository {
  constructor(private readonly store: Store) {}

  async enroll(command: EnrollCommand): Promise<Enrolled> {
    const idKey = command.idempotency && `${command.idempotency.scope}\u0000${command.idempotency.key}`;
    const known = idKey === undefined ? undefined : this.store.idempotency.get(idKey);
    if (known !== undefined) {
      return { kind: 'replay', record: known };
    }
    const pool = this.store.free.get(command.network.id)!;
    const host = command.pinnedHost ?? [...pool].sort((a, b) => a - b)[0];
    if (host === undefined) {
      throw Problems.poolExhausted();
    }
    if (!pool.delete(host)) {
      throw Problems.addressUnavailable();
    }
    const now = new Date();
    const taken = new Set(
      [...this.store.peers.values()]
        .filter((p) => p.networkId === command.network.id && isLive(p.status))
        .flatMap((p) => (p.configName === null ? [] : [p.configName])),
    );
    const peer = {
      ...command.peer,
      configName: allocateConfigName(command.peer.name, taken),
      ...peerAddresses(command.network, host),
      networkId: command.network.id,
      hostNumber: host,
      revokedAt: null,
      revision: 0n,
      createdAt: now,
      updatedAt: now,
    };
    this.store.peers.set(peer.id, peer);
    this.store.audit.push(command.event);
    if (idKey !== undefined) {
      this.store.idempotency.set(idKey, { requestHash: command.idempotency!.requestHash, peerId: peer.id });
    }
    return { kind: 'created', peer };
  }

  async rekey(id: string, material: KeyMaterial, event: AuditInput): Promise<PeerRecord> {
    const peer = this.store.peers.get(id);
    if (peer === undefined || !isLive(peer.status)) {
      throw Problems.peerNotLive('The peer was revoked or expired meanwhile.');
    }
    const next = { ...peer, ...material, updatedAt: new Date() };
    this.store.peers.set(id, next);
    this.store.audit.push(event);
    return next;
  }
}

export class FakePeersRepository {
  constructor(private readonly store: Store) {}

  async findById(id: string): Promise<PeerRecord | null> {
    return this.store.peers.get(id) ?? null;
  }

  async list(filter: { networkId: string; ownerId?: string; afterId?: string; limit: number }): Promise<PeerRecord[]> {
    return [...this.store.peers.values()]
      .filter((p) => p.networkId === filter.networkId)
      .filter((p) => filter.ownerId === undefined || p.ownerId === filter.ownerId)
      .filter((p) => filter.afterId === undefined || p.id > filter.afterId)
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, filter.limit);
  }

  async revoke(id: string, _cooldownMs: number, actor: string): Promise<boolean> {
    const peer = this.store.peers.get(id);
    if (peer === undefined || !isLive(peer.status)) {
      return false;
    }
    this.store.peers.set(id, { ...peer, status: 'revoked', revokedAt: new Date(), privateKeyEnc: null });
    this.store.free.get(peer.networkId)!.add(peer.hostNumber);
    this.store.audit.push({ actor, action: 'peer.revoked', targetId: id });
    return true;
  }

  async rename(id: string, name: string, actor: string): Promise<boolean> {
    const peer = this.store.peers.get(id);
    if (peer === undefined || !isLive(peer.status)) {
      return false;
    }
    this.store.peers.set(id, { ...peer, name });
    this.store.audit.push({ actor, action: 'peer.renamed', targetId: id });
    return true;
  }

  /** The fakes hold no people: every owner is unnamed. */
  async ownerPeople(): Promise<Map<string, { id: string; email: string | null; name: string | null }>> {
    return new Map();
  }
}

export class FakeClaimsRepository {
  constructor(private readonly store: Store) {}

  async serve(hash: string, event: (peer: PeerRecord) => AuditInput): Promise<ServedClaim | null> {
    const peer = [...this.store.peers.values()].find((p) => p.claimTokenHash === hash);
    if (
      peer === undefined ||
      peer.status !== 'pending' ||
      peer.servedAt !== null ||
      peer.claimExpiresAt === null ||
      peer.claimExpiresAt <= new Date()
    ) {
      return null;
    }
    const network = this.store.networks.get(peer.networkId)!;
    const served = {
      ...peer,
      servedAt: new Date(),
      status: 'active' as const,
      privateKeyEnc: null,
      settingsRevision: network.settingsRevision,
    };
    this.store.peers.set(peer.id, served);
    this.store.audit.push(event(served));
    const { endpoint, dns, mtu, persistentKeepalive, allowedIps, settingsRevision } = network;
    return {
      peer: served,
      privateKeyEnc: peer.privateKeyEnc,
      settings: { endpoint, dns, mtu, persistentKeepalive, allowedIps, settingsRevision },
    };
  }

  async findByHash(hash: string): Promise<PeerRecord | null> {
    return [...this.store.peers.values()].find((p) => p.claimTokenHash === hash) ?? null;
  }

  async recordRefusal(event: AuditInput): Promise<void> {
    this.store.audit.push(event);
  }
}

/** The code of the DomainError a call fails with (it must fail with one). */
export async function problemCode(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) {
    throw new Error(`expected a DomainError, got ${String(error)}`);
  }
  return error.code;
}

/** The services of peers, enrollment and claims, wired to one in-memory store. */
export function services(store: Store, config = { leaseCooldownMs: 60_000, claimTtlMs: 3_600_000 }) {
  const metrics = new FakeMetrics();
  const box = secrets();
  const networks = new FakeNetworksService(store) as unknown as NetworksService;
  const hub = new FakeHubApply() as unknown as HubApplyService;
  const peers = new PeersService(
    config,
    new FakePeersRepository(store) as unknown as PeersRepository,
    networks,
    new FakeTicker() as unknown as RevisionTicker,
  );
  const enrollment = new EnrollmentService(
    { claimTtlMs: config.claimTtlMs, publicUrl: 'https://enroll.example.org' },
    new FakeEnrollmentRepository(store) as unknown as EnrollmentRepository,
    peers,
    networks,
    box,
    metrics as unknown as MetricsService,
    hub,
  );
  const claims = new ClaimsService(
    new FakeClaimsRepository(store) as unknown as ClaimsRepository,
    networks,
    box,
    metrics as unknown as MetricsService,
    hub,
  );
  return { metrics, peers, enrollment, claims };
}

/** Records the networks whose revision stamp was asked for (the real stamps: the e2e tests). */
export class FakeTicker {
  readonly poked: string[] = [];
  poke(networkId: string): void {
    this.poked.push(networkId);
  }
  settle(networkId: string): Promise<void> {
    this.poked.push(networkId);
    return Promise.resolve();
  }
  stampAll(): Promise<void> {
    this.poked.push('*');
    return Promise.resolve();
  }
}

/** A hub without an agent: it never has a peer (no wait; the e2e tests prove the waiting). */
export class FakeHubApply {
  waitForPeer(): Promise<{ applied: boolean; revision: string | null }> {
    return Promise.resolve({ applied: false, revision: null });
  }
}

/** Counts what the services report to the metrics. */
export class FakeMetrics {
  readonly enrollments: string[] = [];
  readonly claims: string[] = [];

  enrolled(network: string, delivery: string): void {
    this.enrollments.push(`${network}:${delivery}`);
  }

  claim(result: string): void {
    this.claims.push(result);
  }
}
