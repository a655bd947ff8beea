import { Injectable } from '@nestjs/common';
import { HubReads } from '../database/hub-reads';
import { PrismaService, REVISION_CHANNEL } from '../database/prisma.service';
import { Problems } from '../domain/problems/problems';

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
   * Where a committed peer stands on the hub: the revision that stamped its change into the
   * desired state (null: not stamped yet), the revision the network's agent last reported as
   * applied, and when the agent last reported. Null when the peer is not in the desired state
   * (pending, quarantined, gone).
   */
  async peerOnHub(
    peerId: string,
  ): Promise<{ revision: bigint | null; appliedRevision: bigint | null; agentLastSeenAt: Date | null } | null> {
    const rows = await this.prisma.$queryRaw<
      { revision: bigint | null; applied_revision: bigint | null; agent_last_seen_at: Date | null }[]
    >`SELECT p.revision, n.applied_revision, n.agent_last_seen_at FROM peer p JOIN network n ON n.id = p.network_id
      WHERE p.id = ${peerId}::uuid AND p.status = 'active' AND NOT p.quarantined`;
    const row = rows[0];
    return row === undefined
      ? null
      : { revision: row.revision, appliedRevision: row.applied_revision, agentLastSeenAt: row.agent_last_seen_at };
  }

  /** The whole desired state at its revision (every live peer, in id order). */
  async desiredState(networkId: string): Promise<{ revision: bigint; peers: DesiredPeerRow[] }> {
    const read = await this.stampAndRead(
      networkId,
      "revision IS NOT NULL AND status = 'active' AND NOT quarantined",
      [],
    );
    return { revision: read.revision, peers: read.rows.filter((p) => p.live).map(desiredPeerRow) };
  }

  /**
   * What changed after revision `since`: every peer stamped later (peers that left the desired
   * state come with live = false). A state built at `since` plus these rows is the state at the
   * returned revision (see stampAndRead). Uses the (network_id, revision) index.
   */
  async desiredStateSince(networkId: string, since: bigint): Promise<{ revision: bigint; changed: ChangedPeerRow[] }> {
    const read = await this.stampAndRead(networkId, 'revision > $3::bigint', [since.toString()]);
    return { revision: read.revision, changed: read.rows.map((p) => ({ ...desiredPeerRow(p), live: p.live })) };
  }

  /**
   * Stamps and reads in one statement, with the network's row lock held (on the hub's reserved
   * connections). The lock is taken first, so the statement's snapshot sees every earlier stamp;
   * the statement's UPDATE stamps every peer that is unstamped in that snapshot (locked in id
   * order, as every writer of peer rows locks them) with the next
   * revision and hands them back by RETURNING (a peer changed again meanwhile is re-read at its
   * newest version by the UPDATE and comes back as that version), and its SELECT reads the
   * stamped peers `where` selects from the same snapshot. So the answer holds exactly the changes
   * stamped at the returned revision or before: a change committed after the snapshot is
   * unstamped in it, left unstamped, and gets a later revision.
   */
  private async stampAndRead(
    networkId: string,
    where: string,
    values: unknown[],
  ): Promise<{ revision: bigint; rows: (PeerSqlRow & { live: boolean })[] }> {
    return this.reads.transaction(async (query) => {
      const [network] = await query<{ revision: string }>(
        'SELECT revision::text FROM network WHERE id = $1::uuid FOR NO KEY UPDATE',
        [networkId],
      );
      if (network === undefined) {
        throw Problems.notFound('network');
      }
      const next = BigInt(network.revision) + 1n;
      const rows = await query<PeerSqlRow & { live: boolean; stamped: boolean }>(
        `WITH stamped AS (
           UPDATE peer SET revision = $2::bigint WHERE revision IS NULL AND id IN (
             SELECT id FROM peer WHERE network_id = $1::uuid AND revision IS NULL ORDER BY id FOR UPDATE)
           RETURNING id, name, public_key, preshared_key_enc, ipv4, ipv6, (status = 'active' AND NOT quarantined) AS live
         )
         SELECT id::text, name, public_key, preshared_key_enc, ipv4, ipv6, live, stamped FROM (
           SELECT id, name, public_key, preshared_key_enc, ipv4, ipv6, live, true AS stamped FROM stamped
           UNION ALL
           SELECT id, name, public_key, preshared_key_enc, ipv4, ipv6, (status = 'active' AND NOT quarantined), false
             FROM peer WHERE network_id = $1::uuid AND ${where}
         ) changed ORDER BY id`,
        [networkId, next.toString(), ...values],
      );
      if (!rows.some((r) => r.stamped)) {
        return { revision: BigInt(network.revision), rows };
      }
      await query('UPDATE network SET revision = $2::bigint, updated_at = now() WHERE id = $1::uuid', [
        networkId,
        next.toString(),
      ]);
      await query('SELECT pg_notify($1, $2)', [REVISION_CHANNEL, `${networkId}:${next}`]);
      return { revision: next, rows };
    });
  }
}
