import { Injectable } from '@nestjs/common';
import { AuditRepository } from '../audit/audit.repository';
import { likeLiteral } from '../database/like';
import { ownerPeople, type OwnerPerson } from '../database/owner-people';
import { PrismaService } from '../database/prisma.service';
import { ONLINE_WINDOW_MS } from '../domain/peer/lifecycle';
import type { ApplyState } from '../domain/wg/apply-state';
import type { EndpointChange } from '../domain/wg/duplicates';

export interface PeerObservation {
  publicKey: string;
  endpoint: string | null;
  latestHandshake: number;
  rxBytes: number;
  txBytes: number;
  duplicateSuspected?: { sourceHosts: string[] };
}

export interface RoamingPeer {
  id: string;
  name: string;
  publicKey: string;
  endpointHistory: EndpointChange[];
  flaggedAt: Date | null;
  /** Its endpoint changed with this report. */
  moved: boolean;
}

export interface PeerStatusRow {
  id: string;
  name: string;
  ipv4: string;
  ipv6: string | null;
  publicKey: string;
  firstHandshakeAt: Date | null;
  lastHandshakeAt: Date | null;
  endpoint: string | null;
  rxBytes: bigint;
  txBytes: bigint;
  flaggedAt: Date | null;
  flagReason: string | null;
  quarantined: boolean;
  expiresAt: Date | null;
  settingsRevision: bigint | null;
  ownerId: string;
  /** The person behind a "user:<id>" owner (null: a token or an enrollment key owns the peer). */
  ownerPerson: OwnerPerson | null;
}

/**
 * The hub's status as its agent reports it and as the status page reads it: applied revision,
 * handshakes, counters and endpoints per peer, duplicate flags (with their audit events), and
 * the per-network summary and peer pages. The desired state is read by HubRepository.
 */
@Injectable()
export class HubStatusRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditRepository,
  ) {}

  /**
   * Stores what the agent reports. Counters and handshakes for every reported live peer in one
   * statement; returns the peers whose endpoint changed or that the agent suspects of running on
   * two machines (the only ones the duplicate check needs).
   */
  async recordStatus(
    networkId: string,
    applied: { revision: bigint; configSha256: string; state: ApplyState; problem: string | null },
    peers: readonly PeerObservation[],
  ): Promise<RoamingPeer[]> {
    // The network row is written in a statement of its own, after the peers' transaction: a
    // revision stamp holds the network row while it locks unstamped peers (in id order), so a
    // transaction holding peer rows must not wait for the network row.
    const touchNetwork = () =>
      this.prisma
        .$executeRaw`UPDATE network SET applied_revision = ${applied.revision}, applied_config_sha256 = ${applied.configSha256},
        apply_state = ${applied.state}, apply_problem = ${applied.problem},
        agent_last_seen_at = now() WHERE id = ${networkId}::uuid`;
    if (peers.length === 0) {
      await touchNetwork();
      return [];
    }
    const moved = await this.prisma.$transaction(async (tx) => {
      const keys = peers.map((p) => p.publicKey);
      const endpoints = peers.map((p) => p.endpoint);
      const handshakes = peers.map((p) => p.latestHandshake);
      const rx = peers.map((p) => BigInt(p.rxBytes));
      const tx2 = peers.map((p) => BigInt(p.txBytes));
      const suspected = peers.map((p) => p.duplicateSuspected !== undefined);
      const rows = await tx.$queryRaw<
        {
          id: string;
          name: string;
          public_key: string;
          endpoint_history: EndpointChange[];
          flagged_at: Date | null;
          moved: boolean;
          suspected: boolean;
        }[]
      >`
        WITH s AS (
          SELECT * FROM unnest(${keys}::text[], ${endpoints}::text[], ${handshakes}::bigint[], ${rx}::bigint[], ${tx2}::bigint[],
              ${suspected}::bool[])
            AS s(public_key, endpoint, handshake, rx, tx, suspected)
        ),
        old AS (
          SELECT p.id, p.endpoint AS old_endpoint FROM peer p JOIN s ON s.public_key = p.public_key
          WHERE p.network_id = ${networkId}::uuid AND p.status = 'active'
          ORDER BY p.id FOR UPDATE OF p
        )
        UPDATE peer p SET
          endpoint = coalesce(s.endpoint, p.endpoint),
          rx_bytes = s.rx, tx_bytes = s.tx,
          last_handshake_at = CASE WHEN s.handshake > 0 THEN to_timestamp(s.handshake) ELSE p.last_handshake_at END,
          first_handshake_at = coalesce(p.first_handshake_at, CASE WHEN s.handshake > 0 THEN to_timestamp(s.handshake) END)
        FROM s, old
        WHERE p.id = old.id AND p.public_key = s.public_key
        RETURNING p.id::text, p.name, p.public_key, p.endpoint_history, p.flagged_at,
          (s.endpoint IS NOT NULL AND s.endpoint IS DISTINCT FROM old.old_endpoint) AS moved, s.suspected`;
      return rows
        .filter((r) => r.moved || r.suspected)
        .map((r) => ({
          id: r.id,
          name: r.name,
          publicKey: r.public_key,
          endpointHistory: r.endpoint_history,
          flaggedAt: r.flagged_at,
          moved: r.moved,
        }));
    });
    await touchNetwork();
    return moved;
  }

  async saveEndpointHistory(peerId: string, history: EndpointChange[]): Promise<void> {
    await this.prisma
      .$executeRaw`UPDATE peer SET endpoint_history = ${JSON.stringify(history)}::jsonb WHERE id = ${peerId}::uuid`;
  }

  /** Flags a peer once (and takes it off the hub when the network says so), with an audit event. */
  async flagDuplicate(networkId: string, peerId: string, reason: string, hosts: string[]): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<
        { quarantined: boolean; name: string }[]
      >`UPDATE peer p SET flagged_at = now(), flag_reason = ${reason},
          quarantined = n.quarantine_duplicates
        FROM network n WHERE p.id = ${peerId}::uuid AND n.id = p.network_id AND p.flagged_at IS NULL AND p.status = 'active'
        RETURNING p.quarantined, p.name`;
      if (rows.length === 0) {
        return false;
      }
      await this.audit.record(
        {
          actor: 'hub-agent',
          action: 'peer.flagged-duplicate',
          networkId,
          targetType: 'peer',
          targetId: peerId,
          details: { name: rows[0].name, reason, sourceHosts: hosts, quarantined: rows[0].quarantined },
        },
        tx,
      );
      return true;
    });
  }

  /** `settingsRevision`: the network's; an active peer whose config has a lower one counts as older. */
  async statusSummary(
    networkId: string,
    expiringBefore: Date,
    settingsRevision: bigint,
  ): Promise<{ active: number; online: number; flagged: number; expiringSoon: number; olderSettings: number }> {
    const [row] = await this.prisma.$queryRaw<
      { active: number; online: number; flagged: number; expiringSoon: number; olderSettings: number }[]
    >`SELECT
        count(*)::int AS active,
        count(*) FILTER (WHERE last_handshake_at > now() - ${ONLINE_WINDOW_MS} * interval '1 millisecond')::int AS online,
        count(*) FILTER (WHERE flagged_at IS NOT NULL)::int AS flagged,
        count(*) FILTER (WHERE expires_at < ${expiringBefore})::int AS "expiringSoon",
        count(*) FILTER (WHERE settings_revision < ${settingsRevision})::int AS "olderSettings"
      FROM peer WHERE network_id = ${networkId}::uuid AND status = 'active'`;
    return row;
  }

  async peerStatuses(filter: {
    networkId: string;
    nameContains?: string;
    online?: boolean;
    flagged?: boolean;
    /** true: expiresAt before this moment; false: no expiry or a later one. */
    expiring?: { before: Date; only: boolean };
    afterId?: string;
    limit: number;
  }): Promise<PeerStatusRow[]> {
    const onlineSince = new Date(Date.now() - ONLINE_WINDOW_MS);
    const rows = await this.prisma.peer.findMany({
      where: {
        networkId: filter.networkId,
        status: 'active',
        ...(filter.nameContains ? { name: { contains: likeLiteral(filter.nameContains), mode: 'insensitive' } } : {}),
        ...(filter.online === true ? { lastHandshakeAt: { gt: onlineSince } } : {}),
        ...(filter.online === false
          ? { OR: [{ lastHandshakeAt: null }, { lastHandshakeAt: { lte: onlineSince } }] }
          : {}),
        ...(filter.flagged === true ? { flaggedAt: { not: null } } : {}),
        ...(filter.flagged === false ? { flaggedAt: null } : {}),
        ...(filter.expiring?.only === true ? { expiresAt: { lt: filter.expiring.before } } : {}),
        ...(filter.expiring?.only === false
          ? { AND: [{ OR: [{ expiresAt: null }, { expiresAt: { gte: filter.expiring.before } }] }] }
          : {}),
        ...(filter.afterId ? { id: { gt: filter.afterId } } : {}),
      },
      orderBy: { id: 'asc' },
      take: filter.limit,
      select: {
        id: true,
        name: true,
        ipv4: true,
        ipv6: true,
        publicKey: true,
        firstHandshakeAt: true,
        lastHandshakeAt: true,
        endpoint: true,
        rxBytes: true,
        txBytes: true,
        flaggedAt: true,
        flagReason: true,
        quarantined: true,
        expiresAt: true,
        settingsRevision: true,
        ownerId: true,
      },
    });
    const people = await ownerPeople(
      this.prisma,
      rows.map((r) => r.ownerId),
    );
    return rows.map((r) => ({ ...r, ownerPerson: people.get(r.ownerId) ?? null }));
  }
}
