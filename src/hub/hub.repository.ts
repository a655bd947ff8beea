import { Injectable } from '@nestjs/common';
import { HubReads } from '../database/hub-reads';
import { PrismaService } from '../database/prisma.service';

export interface DesiredPeerRow {
  id: string;
  name: string;
  publicKey: string;
  presharedKeyEnc: Uint8Array;
  ipv4: string;
  ipv6: string | null;
}

/** A peer of the desired state as the SQL reads it. */
interface PeerSqlRow {
  id: string;
  name: string;
  public_key: string;
  preshared_key_enc: Uint8Array;
  ipv4: string;
  ipv6: string | null;
}

function desiredPeerRow(p: PeerSqlRow): DesiredPeerRow {
  return {
    id: p.id,
    name: p.name,
    publicKey: p.public_key,
    presharedKeyEnc: p.preshared_key_enc,
    ipv4: p.ipv4,
    ipv6: p.ipv6,
  };
}

/** A peer changed after some revision: `live` = it is in the desired state now. */
export interface ChangedPeerRow extends DesiredPeerRow {
  live: boolean;
}
/**
 * What the hub should run: the desired state of a network (whole or as the changes since a
 * revision, on the hub's reserved connections) and where one peer stands on the hub. What the
 * agent reports back is kept by HubStatusRepository.
 */
@Injectable()
export class HubRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly reads: HubReads,
  ) {}

  /**
   * Where a committed peer stands on the hub: the revision whose commit put it in the desired
   * state, the revision the network's agent last reported as applied, and when the agent last
   * reported. Null when the peer is not in the desired state (pending, quarantined, gone).
   */
  async peerOnHub(
    peerId: string,
  ): Promise<{ revision: bigint; appliedRevision: bigint | null; agentLastSeenAt: Date | null } | null> {
    const rows = await this.prisma.$queryRaw<
      { revision: bigint; applied_revision: bigint | null; agent_last_seen_at: Date | null }[]
    >`SELECT p.revision, n.applied_revision, n.agent_last_seen_at FROM peer p JOIN network n ON n.id = p.network_id
      WHERE p.id = ${peerId}::uuid AND p.status = 'active' AND NOT p.quarantined`;
    const row = rows[0];
    return row === undefined
      ? null
      : { revision: row.revision, appliedRevision: row.applied_revision, agentLastSeenAt: row.agent_last_seen_at };
  }

  async revisionOf(networkId: string): Promise<bigint | null> {
    const rows = await this.reads.query<{ revision: string }>(
      'SELECT revision::text FROM network WHERE id = $1::uuid',
      [networkId],
    );
    return rows[0] === undefined ? null : BigInt(rows[0].revision);
  }

  /**
   * The revision and the peers in one snapshot (REPEATABLE READ), so the peers are exactly
   * those of that revision. On the hub's reserved connections (HubReads).
   */
  async desiredState(networkId: string): Promise<{ revision: bigint; peers: DesiredPeerRow[] }> {
    return this.reads.snapshot(async (query) => {
      const [network] = await query<{ revision: string }>('SELECT revision::text FROM network WHERE id = $1::uuid', [
        networkId,
      ]);
      const peers = await query<PeerSqlRow>(
        `SELECT id::text, name, public_key, preshared_key_enc, ipv4, ipv6
          FROM peer WHERE network_id = $1::uuid AND status = 'active' AND NOT quarantined ORDER BY id`,
        [networkId],
      );
      return { revision: BigInt(network.revision), peers: peers.map(desiredPeerRow) };
    });
  }

  /**
   * What changed after revision `since`, in one snapshot (REPEATABLE READ): the network's
   * revision and every peer whose desired-state revision is later (the deferred trigger sets
   * peer.revision to the revision its commit made, and revisions follow commit order, so a
   * state built at `since` plus these rows is the state at `revision`). Peers that left the
   * desired state come with live = false. Uses the (network_id, revision) index. On the hub's
   * reserved connections (HubReads).
   */
  async desiredStateSince(networkId: string, since: bigint): Promise<{ revision: bigint; changed: ChangedPeerRow[] }> {
    return this.reads.snapshot(async (query) => {
      const [network] = await query<{ revision: string }>('SELECT revision::text FROM network WHERE id = $1::uuid', [
        networkId,
      ]);
      const revision = BigInt(network.revision);
      if (revision <= since) {
        return { revision, changed: [] };
      }
      const peers = await query<PeerSqlRow & { live: boolean }>(
        `SELECT id::text, name, public_key, preshared_key_enc, ipv4, ipv6, (status = 'active' AND NOT quarantined) AS live
          FROM peer WHERE network_id = $1::uuid AND revision > $2::bigint`,
        [networkId, since.toString()],
      );
      return { revision, changed: peers.map((p) => ({ ...desiredPeerRow(p), live: p.live })) };
    });
  }
}
