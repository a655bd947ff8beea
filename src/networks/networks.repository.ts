import { Injectable } from '@nestjs/common';
import {
  postgresErrorCode,
  PrismaService,
  REVISION_CHANNEL,
  UNIQUE_VIOLATION,
  violatedConstraint,
} from '../database/prisma.service';
import { DomainError, Problems } from '../domain/problems/problems';
import type { NetworkSpec } from '../domain/network/network-spec';
import { settingText, type NetworkSettings, type SettingChange } from '../domain/network/network-settings';
import { AuditRepository, type AuditInput } from '../audit/audit.repository';
import { IpamRepository } from '../ipam/ipam.repository';

/** A change of a network's settings, worked out from the row as it stands (locked). */
export interface SettingsUpdate {
  settings: NetworkSettings;
  changes: readonly SettingChange[];
  /** A setting the hub agent reads changed: a change of the desired state too. */
  desiredStateChanged: boolean;
}

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
  /** Bumped by every change of the settings a served config carries. */
  readonly settingsRevision: bigint;
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
        if (hubPublicKey !== null) {
          // The network's keys are one table (see setHub); no peer can hold a key yet.
          await tx.$executeRaw`INSERT INTO wg_key (network_id, public_key) VALUES (${id}::uuid, ${hubPublicKey})`;
        }
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

  /**
   * Sets the hub key and port; a change of either is a change of the desired state. The key is
   * registered in wg_key first (the one table of a network's keys, whose primary key refuses a
   * key a live peer holds, even one whose enrollment is still committing), then the network row
   * is updated: wg_key before the network row, the order enrollments keep too.
   */
  async setHub(id: string, hubPublicKey: string, listenPort: number, event: AuditInput): Promise<NetworkRecord> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const holders = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM peer
          WHERE network_id = ${id}::uuid AND public_key = ${hubPublicKey} AND status IN ('pending', 'active') LIMIT 1`;
        if (holders.length > 0) {
          throw Problems.hubKeyInUse(holders[0].id);
        }
        await tx.$executeRaw`DELETE FROM wg_key WHERE network_id = ${id}::uuid AND peer_id IS NULL`;
        await tx.$executeRaw`INSERT INTO wg_key (network_id, public_key) VALUES (${id}::uuid, ${hubPublicKey})`;
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
    } catch (error) {
      if (postgresErrorCode(error) === UNIQUE_VIOLATION && violatedConstraint(error) === 'wg_key_pkey') {
        throw Problems.hubKeyInUse();
      }
      throw error;
    }
  }

  /**
   * Turning quarantineDuplicates on also takes the peers flagged before off the hub (a change of
   * the desired state: the peers are left unstamped for the next revision). The network row
   * first, then the peer rows in id order: the order a revision stamp keeps (no transaction
   * holds peer rows while it waits for the network row).
   *
   * A change of settings (`patch`, worked out from the network row as it stands under its lock)
   * bumps the settings revision, and the desired-state revision when the hub agent reads one of
   * them (NOTIFY, as setHub does); the audit event gets each change before and after.
   */
  async update(
    id: string,
    data: { quarantineDuplicates?: boolean } & SelfServiceSettings,
    event: AuditInput,
    patch?: (current: NetworkRecord) => SettingsUpdate,
  ): Promise<NetworkRecord> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT 1 FROM network WHERE id = ${id}::uuid FOR NO KEY UPDATE`;
      const quarantined =
        data.quarantineDuplicates === true
          ? await tx.$queryRaw<{ id: string }[]>`UPDATE peer SET quarantined = true, updated_at = now()
              WHERE id IN (SELECT id FROM peer WHERE network_id = ${id}::uuid AND status = 'active'
                AND flagged_at IS NOT NULL AND NOT quarantined ORDER BY id FOR UPDATE)
              RETURNING id::text`
          : [];
      let settings: Record<string, unknown> = {};
      let changed: Record<string, unknown> = {};
      if (patch !== undefined) {
        await tx.$executeRaw`SELECT 1 FROM network WHERE id = ${id}::uuid FOR UPDATE`;
        const update = patch(await tx.network.findUniqueOrThrow({ where: { id } }));
        if (update.changes.length > 0) {
          settings = {
            ...update.settings,
            dns: [...update.settings.dns],
            allowedIps: [...update.settings.allowedIps],
            settingsRevision: { increment: 1 },
            ...(update.desiredStateChanged ? { revision: { increment: 1 } } : {}),
          };
          changed = {
            settings: Object.fromEntries(
              update.changes.map((c) => [c.field, { before: settingText(c.before), after: settingText(c.after) }]),
            ),
          };
        }
        if (update.desiredStateChanged) {
          await tx.$executeRaw`SELECT pg_notify(${REVISION_CHANNEL}, ${id}::text)`;
        }
      }
      const row = await tx.network.update({ where: { id }, data: { ...data, ...settings, updatedAt: new Date() } });
      const details = {
        ...event.details,
        ...changed,
        ...('settings' in changed ? { settingsRevision: row.settingsRevision.toString() } : {}),
        ...(quarantined.length > 0 ? { quarantinedPeers: quarantined.length } : {}),
      };
      await this.audit.record({ ...event, details, networkId: id, targetId: id }, tx);
      return row;
    });
  }
}
