import { Injectable } from '@nestjs/common';
import { postgresErrorCode, PrismaService, REVISION_CHANNEL, UNIQUE_VIOLATION } from '../database/prisma.service';
import { DomainError } from '../domain/problems/problems';
import type { NetworkSpec } from '../domain/network/network-spec';
import { AuditRepository, type AuditInput } from '../audit/audit.repository';
import { IpamRepository } from '../ipam/ipam.repository';

export interface NetworkRecord extends NetworkSpec {
  readonly id: string;
  readonly hubPublicKey: string | null;
  readonly revision: bigint;
  readonly appliedRevision: bigint | null;
  readonly appliedConfigSha256: string | null;
  readonly agentLastSeenAt: Date | null;
  readonly applyState: string | null;
  readonly applyProblem: string | null;
  readonly quarantineDuplicates: boolean;
  readonly selfService: boolean;
  readonly devicesPerUser: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface SelfServiceSettings {
  readonly selfService?: boolean;
  readonly devicesPerUser?: number;
}

@Injectable()
export class NetworksRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditRepository,
    private readonly ipam: IpamRepository,
  ) {}

  /** Creates the network and fills its free-address pool (hosts first..last) in one transaction. */
  async create(
    id: string,
    spec: NetworkSpec,
    hubPublicKey: string | null,
    hosts: { first: number; last: number },
    event: AuditInput,
    selfService: SelfServiceSettings = {},
  ): Promise<NetworkRecord> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const row = await tx.network.create({
          data: {
            id,
            ...spec,
            ...selfService,
            dns: [...spec.dns],
            allowedIps: [...spec.allowedIps],
            hubPublicKey,
            revision: 1n,
          },
        });
        await this.ipam.fill(tx, id, hosts);
        await this.audit.record({ ...event, networkId: id, targetId: id }, tx);
        return row;
      });
    } catch (error) {
      if (postgresErrorCode(error) === UNIQUE_VIOLATION) {
        throw new DomainError('network-exists', `"${spec.name}" is taken.`);
      }
      throw error;
    }
  }

  findByName(name: string): Promise<NetworkRecord | null> {
    return this.prisma.network.findUnique({ where: { name } });
  }

  findById(id: string): Promise<NetworkRecord | null> {
    return this.prisma.network.findUnique({ where: { id } });
  }

  list(ids?: readonly string[]): Promise<NetworkRecord[]> {
    return this.prisma.network.findMany({
      where: ids ? { id: { in: [...ids] } } : {},
      orderBy: { name: 'asc' },
    });
  }

  /** Sets the hub key and port; a change of either is a change of the desired state. */
  async setHub(id: string, hubPublicKey: string, listenPort: number, event: AuditInput): Promise<NetworkRecord> {
    return this.prisma.$transaction(async (tx) => {
      // A live peer with this key would be dropped by WireGuard as the hub's own key (a read,
      // no peer lock: the lock order of the other writers is untouched).
      const holders = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM peer
        WHERE network_id = ${id}::uuid AND public_key = ${hubPublicKey} AND status IN ('pending', 'active') LIMIT 1`;
      if (holders.length > 0) {
        throw new DomainError('hub-key-in-use', 'A live peer of this network holds this public key.', {
          peerId: holders[0].id,
        });
      }
      const rows = await tx.$queryRaw<{ id: string }[]>`UPDATE network
        SET hub_public_key = ${hubPublicKey}, listen_port = ${listenPort}, revision = revision + 1, updated_at = now()
        WHERE id = ${id}::uuid AND (hub_public_key IS DISTINCT FROM ${hubPublicKey} OR listen_port <> ${listenPort})
        RETURNING id`;
      if (rows.length > 0) {
        await tx.$executeRaw`SELECT pg_notify(${REVISION_CHANNEL}, ${id}::text)`;
        await this.audit.record({ ...event, networkId: id, targetId: id }, tx);
      }
      return tx.network.findUniqueOrThrow({ where: { id } });
    });
  }

  /**
   * Turning quarantineDuplicates on also takes the peers flagged before off the hub (a change of
   * the desired state: the deferred trigger bumps the revision). Peer rows first (in id order),
   * then the network row: the lock order every writer keeps.
   */
  async update(
    id: string,
    data: { quarantineDuplicates?: boolean } & SelfServiceSettings,
    event: AuditInput,
  ): Promise<NetworkRecord> {
    return this.prisma.$transaction(async (tx) => {
      const quarantined =
        data.quarantineDuplicates === true
          ? await tx.$queryRaw<{ id: string }[]>`UPDATE peer SET quarantined = true, updated_at = now()
              WHERE id IN (SELECT id FROM peer WHERE network_id = ${id}::uuid AND status = 'active'
                AND flagged_at IS NOT NULL AND NOT quarantined ORDER BY id FOR UPDATE)
              RETURNING id::text`
          : [];
      const row = await tx.network.update({ where: { id }, data: { ...data, updatedAt: new Date() } });
      const details =
        quarantined.length > 0 ? { ...event.details, quarantinedPeers: quarantined.length } : event.details;
      await this.audit.record({ ...event, details, networkId: id, targetId: id }, tx);
      return row;
    });
  }
}
