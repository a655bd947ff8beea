import { Injectable } from '@nestjs/common';
import { AuditRepository, type AuditInput } from '../audit/audit.repository';
import { PrismaService } from '../database/prisma.service';
import type { NetworkSettings } from '../domain/network/network-settings';
import { PEER_FIELDS, type PeerRecord } from '../peers/peers.repository';

/**
 * A served claim: the peer as it is now, the private key the same statement wiped, and the
 * network's settings as that statement read them (the config is rendered with these, and the
 * peer records their revision: a settings change committed meanwhile cannot slip in between).
 */
export interface ServedClaim {
  peer: PeerRecord;
  privateKeyEnc: Uint8Array | null;
  settings: NetworkSettings & { settingsRevision: bigint };
}

interface ServedRow {
  id: string;
  private_key_enc: Uint8Array | null;
  settings_revision: bigint;
  endpoint: string;
  dns: string[];
  mtu: number | null;
  persistent_keepalive: number;
  allowed_ips: string[];
}

@Injectable()
export class ClaimsRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditRepository,
  ) {}

  /**
   * Serve once (invariant 2): one guarded UPDATE marks the claim served and wipes the stored
   * private key; the CTE hands back the key it wiped. Concurrent claims queue on the row lock
   * and, once the first commits, find served_at set and get nothing.
   */
  async serve(claimTokenHash: string, event: (peer: PeerRecord) => AuditInput): Promise<ServedClaim | null> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<ServedRow[]>`
        WITH target AS (
          SELECT id, private_key_enc FROM peer WHERE claim_token_hash = ${claimTokenHash} FOR UPDATE
        )
        UPDATE peer p SET served_at = now(), private_key_enc = NULL, status = 'active', updated_at = now(),
          settings_revision = n.settings_revision
        FROM target t, network n
        WHERE p.id = t.id AND n.id = p.network_id
          AND p.status = 'pending' AND p.served_at IS NULL AND p.claim_expires_at > now()
        RETURNING p.id, t.private_key_enc, n.settings_revision, n.endpoint, n.dns, n.mtu, n.persistent_keepalive,
          n.allowed_ips`;
      if (rows.length === 0) {
        return null;
      }
      const row = rows[0];
      const peer = (await tx.peer.findUniqueOrThrow({ where: { id: row.id }, select: PEER_FIELDS })) as PeerRecord;
      await this.audit.record(event(peer), tx);
      return {
        peer,
        privateKeyEnc: row.private_key_enc,
        settings: {
          settingsRevision: row.settings_revision,
          endpoint: row.endpoint,
          dns: row.dns,
          mtu: row.mtu,
          persistentKeepalive: row.persistent_keepalive,
          allowedIps: row.allowed_ips,
        },
      };
    });
  }

  async findByHash(claimTokenHash: string): Promise<PeerRecord | null> {
    return (await this.prisma.peer.findUnique({ where: { claimTokenHash }, select: PEER_FIELDS })) as PeerRecord | null;
  }

  /** A refused claim changes nothing; its audit event stands alone. */
  async recordRefusal(event: AuditInput): Promise<void> {
    await this.audit.record(event);
  }
}
