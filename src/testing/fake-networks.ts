/* eslint-disable @typescript-eslint/require-await -- the fakes keep the async signatures of the repositories they stand in for */
/**
 * In-memory stand-ins for the networks and ipam repositories (unit tier). Like the other fakes
 * they keep only what the service reads back; the SQL, the unique name and the pool filling
 * on real Postgres are proven by the end-to-end specs under test/.
 */
import type { AuditInput } from '../audit/audit.repository';
import { isLive } from '../domain/peer/lifecycle';
import { DomainError } from '../domain/problems/problems';
import type { PoolUsage } from '../ipam/ipam.repository';
import type { NetworkRecord, NetworksRepository } from '../networks/networks.repository';
import type { Store } from './fakes';

export class FakeNetworksRepository {
  constructor(private readonly store: Store) {}

  create: NetworksRepository['create'] = async (id, spec, hubPublicKey, hosts, event, selfService = {}) => {
    if (this.find((n) => n.name === spec.name) !== null) {
      throw new DomainError('network-exists', `"${spec.name}" is taken.`);
    }
    const now = new Date();
    const record: NetworkRecord = {
      id,
      ...spec,
      hubPublicKey,
      revision: 1n,
      appliedRevision: null,
      appliedConfigSha256: null,
      agentLastSeenAt: null,
      quarantineDuplicates: false,
      settingsRevision: 1n,
      selfService: selfService.selfService ?? false,
      devicesPerUser: selfService.devicesPerUser ?? 5,
      applyState: null,
      applyProblem: null,
      createdAt: now,
      updatedAt: now,
    };
    const pool = Array.from({ length: hosts.last - hosts.first + 1 }, (_, i) => hosts.first + i);
    this.store.addNetwork(record, pool);
    this.store.audit.push({ ...event, networkId: id, targetId: id });
    return record;
  };

  async findByName(name: string): Promise<NetworkRecord | null> {
    return this.find((n) => n.name === name);
  }

  async findById(id: string): Promise<NetworkRecord | null> {
    return this.store.networks.get(id) ?? null;
  }

  async list(): Promise<NetworkRecord[]> {
    return [...this.store.networks.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** As the real one: a change of key or port bumps the revision and is audited; the same is a no-op. */
  async setHub(id: string, hubPublicKey: string, listenPort: number, event: AuditInput): Promise<NetworkRecord> {
    const n = this.store.networks.get(id)!;
    if (n.hubPublicKey === hubPublicKey && n.listenPort === listenPort) {
      return n;
    }
    return this.save(
      { ...n, hubPublicKey, listenPort, revision: n.revision + 1n },
      { ...event, networkId: id, targetId: id },
    );
  }

  /** As the real one: a change of settings bumps the settings revision (and the revision for the hub's). */
  update: NetworksRepository['update'] = async (id, data, event, patch) => {
    const current = this.store.networks.get(id)!;
    const update = patch?.(current);
    const changed = update !== undefined && update.changes.length > 0;
    return this.save(
      {
        ...current,
        ...data,
        ...(changed ? { ...update.settings, settingsRevision: current.settingsRevision + 1n } : {}),
        ...(update?.desiredStateChanged ? { revision: current.revision + 1n } : {}),
      },
      { ...event, networkId: id, targetId: id },
    );
  };

  private save(next: NetworkRecord, event: AuditInput): NetworkRecord {
    const saved = { ...next, updatedAt: new Date() };
    this.store.networks.set(saved.id, saved);
    this.store.audit.push(event);
    return saved;
  }

  private find(match: (n: NetworkRecord) => boolean): NetworkRecord | null {
    return [...this.store.networks.values()].find(match) ?? null;
  }
}

/** The pool usage as the store holds it: free hosts, leased ones are the live peers'. */
export class FakeIpamRepository {
  constructor(private readonly store: Store) {}

  async usage(networkId: string): Promise<PoolUsage> {
    const leased = [...this.store.peers.values()].filter((p) => p.networkId === networkId && isLive(p.status)).length;
    return { leased, free: this.store.free.get(networkId)?.size ?? 0, cooling: 0 };
  }
}
