import { likeLiteral } from '../database/like';
import { Injectable } from '@nestjs/common';
import { AuditRepository } from '../audit/audit.repository';
import { ownerPeople, type OwnerPerson } from '../database/owner-people';
import { PrismaService } from '../database/prisma.service';
import { LIVE_STATUSES, type Delivery, type PeerStatus } from '../domain/peer/lifecycle';
import { Prisma } from '../generated/prisma/client';
import { IpamRepository } from '../ipam/ipam.repository';

export type { Delivery, PeerStatus };

export interface PeerRecord {
  id: string;
  networkId: string;
  name: string;
  /** The served file's name without ".conf" (null only for rows made outside the service). */
  configName: string | null;
  ownerId: string;
  hostNumber: number;
  ipv4: string;
  ipv6: string | null;
  publicKey: string;
  presharedKeyEnc: Uint8Array<ArrayBuffer>;
  status: PeerStatus;
  delivery: string;
  claimExpiresAt: Date | null;
  servedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** The network's settings revision its served config was rendered with; null: none served yet. */
  settingsRevision: bigint | null;
  /** The revision that stamped its last change of the desired state; null: not stamped yet. */
  revision: bigint | null;
  createdAt: Date;
  updatedAt: Date;
}

export const PEER_FIELDS = {
  id: true,
  networkId: true,
  name: true,
  configName: true,
  ownerId: true,
  hostNumber: true,
  ipv4: true,
  ipv6: true,
  publicKey: true,
  presharedKeyEnc: true,
  status: true,
  delivery: true,
  claimExpiresAt: true,
  servedAt: true,
  expiresAt: true,
  revokedAt: true,
  settingsRevision: true,
  revision: true,
  createdAt: true,
  updatedAt: true,
} as const;

const LIVE = [...LIVE_STATUSES];

@Injectable()
export class PeersRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly ipam: IpamRepository,
    private readonly audit: AuditRepository,
  ) {}

  async findById(id: string): Promise<PeerRecord | null> {
    return (await this.prisma.peer.findUnique({ where: { id }, select: PEER_FIELDS })) as PeerRecord | null;
  }

  async list(filter: {
    networkId: string;
    ownerId?: string;
    status?: PeerStatus;
    nameContains?: string;
    afterId?: string;
    limit: number;
  }): Promise<PeerRecord[]> {
    return (await this.prisma.peer.findMany({
      where: {
        networkId: filter.networkId,
        ...(filter.ownerId ? { ownerId: filter.ownerId } : {}),
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.nameContains ? { name: { contains: likeLiteral(filter.nameContains), mode: 'insensitive' } } : {}),
        ...(filter.afterId ? { id: { gt: filter.afterId } } : {}),
      },
      orderBy: { id: 'asc' },
      take: filter.limit,
      select: PEER_FIELDS,
    })) as PeerRecord[];
  }

  /** A person's devices in every network, live ones first, newest first. */
  async listByOwner(ownerId: string, limit: number): Promise<(PeerRecord & { lastHandshakeAt: Date | null })[]> {
    return (await this.prisma.peer.findMany({
      where: { ownerId },
      orderBy: [{ status: 'asc' }, { id: 'desc' }],
      take: limit,
      select: { ...PEER_FIELDS, lastHandshakeAt: true },
    })) as (PeerRecord & { lastHandshakeAt: Date | null })[];
  }

  /**
   * Renames a live peer, with its audit event. The config name stays: the file on the device
   * (and its interface name) was given at enrollment, and a reissue must replace that file.
   */
  async rename(id: string, name: string, actor: string): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ network_id: string; old_name: string }[]>`
        WITH old AS (SELECT id, name FROM peer WHERE id = ${id}::uuid AND status = ANY(${LIVE}::peer_status[]) FOR UPDATE)
        UPDATE peer p SET name = ${name}, updated_at = now() FROM old WHERE p.id = old.id
        RETURNING p.network_id::text, old.name AS old_name`;
      if (rows.length === 0) {
        return false;
      }
      await this.audit.record(
        {
          actor,
          action: 'peer.renamed',
          networkId: rows[0].network_id,
          targetType: 'peer',
          targetId: id,
          details: { from: rows[0].old_name, name },
        },
        tx,
      );
      return true;
    });
  }

  /** The people behind "user:<id>" owners, by owner (e-mail and name). */
  ownerPeople(owners: readonly string[]): Promise<Map<string, OwnerPerson>> {
    return ownerPeople(this.prisma, owners);
  }

  /** Revokes one live peer: off the desired state, key wiped, address into cool-down. */
  async revoke(id: string, cooldownMs: number, actor: string): Promise<boolean> {
    const done = await this.retire(
      Prisma.sql`SELECT id FROM peer WHERE id = ${id}::uuid AND status = ANY(${LIVE}::peer_status[]) FOR UPDATE`,
      'revoked',
      cooldownMs,
      actor,
    );
    return done.length > 0;
  }

  /** Expires live peers past expiresAt and pending peers whose claim link ran out. */
  async expireDue(cooldownMs: number, batch = 500): Promise<string[]> {
    return this.retire(
      Prisma.sql`SELECT id FROM peer
        WHERE status = ANY(${LIVE}::peer_status[])
          AND (expires_at <= now() OR (status = 'pending' AND claim_expires_at <= now()))
        ORDER BY id LIMIT ${batch} FOR UPDATE SKIP LOCKED`,
      'expired',
      cooldownMs,
      'system',
    );
  }

  /** Drops idempotency keys past their 24 h (part of the expiry sweep). */
  pruneIdempotencyKeys(): Promise<number> {
    return this.prisma.$executeRaw`DELETE FROM idempotency_key WHERE expires_at <= now()`;
  }

  /**
   * One transaction, safe to run from several replicas at once: the peers are locked and each
   * changes status once, so each release and audit event happens once.
   */
  private retire(due: Prisma.Sql, status: 'revoked' | 'expired', cooldownMs: number, actor: string) {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<
        { id: string; network_id: string; host_number: number; name: string; past_expiry: boolean }[]
      >`WITH due AS (${due})
        UPDATE peer p SET status = ${status}::peer_status, private_key_enc = NULL, updated_at = now(),
          revoked_at = CASE WHEN ${status} = 'revoked' THEN now() ELSE p.revoked_at END
        FROM due WHERE p.id = due.id
        RETURNING p.id, p.network_id, p.host_number, p.name, coalesce(p.expires_at <= now(), false) AS past_expiry`;
      const releases = rows.map((r) => ({ peerId: r.id, networkId: r.network_id, hostNumber: r.host_number }));
      await this.ipam.release(tx, releases, cooldownMs);
      await this.audit.recordMany(
        rows.map((r) => ({
          actor,
          action: `peer.${status}`,
          networkId: r.network_id,
          targetType: 'peer',
          targetId: r.id,
          details: {
            name: r.name,
            reason: status === 'revoked' ? 'revoked' : r.past_expiry ? 'expiresAt' : 'claim-expired',
          },
        })),
        tx,
      );
      return rows.map((r) => r.id);
    });
  }
}
