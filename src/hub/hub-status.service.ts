import { Injectable } from '@nestjs/common';
import type { ApplyState } from '../domain/wg/apply-state';
import { decodeCursor, encodeCursor } from '../common/http/cursor';
import { poolSize } from '../domain/ipam/cidr';
import { AGENT_HEALTHY_MS, ONLINE_WINDOW_MS } from '../domain/peer/lifecycle';
import type { Principal } from '../domain/principal/principal';
import { NetworksService } from '../networks/networks.service';
import type { NetworkStatus, NetworkStatusQueryInput } from './hub.dto';
import { HubStatusRepository } from './hub-status.repository';

/** An agent that reported within this long counts as healthy. */
/** "Expiring soon" on the status page: an expiry within this many days. */
export const EXPIRING_SOON_DAYS = 7;
const EXPIRING_SOON_MS = EXPIRING_SOON_DAYS * 86_400_000;

/** What the status page shows of a network: hub health, pool use, and its peers page by page. */
@Injectable()
export class HubStatusService {
  constructor(
    private readonly repository: HubStatusRepository,
    private readonly networks: NetworksService,
  ) {}

  async status(principal: Principal, name: string, query: NetworkStatusQueryInput): Promise<NetworkStatus> {
    const network = await this.networks.resolve(principal, name);
    const pool = await this.networks.poolUsage(network.id);
    const afterId = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const expiringBefore = new Date(Date.now() + EXPIRING_SOON_MS);
    const [summary, rows] = await Promise.all([
      this.repository.statusSummary(network.id, expiringBefore, network.settingsRevision),
      this.repository.peerStatuses({
        networkId: network.id,
        nameContains: query.name,
        online: query.online === undefined ? undefined : query.online === 'true',
        flagged: query.flagged === undefined ? undefined : query.flagged === 'true',
        expiring:
          query.expiring === undefined ? undefined : { before: expiringBefore, only: query.expiring === 'true' },
        afterId,
        limit: query.limit + 1,
      }),
    ]);
    const page = rows.slice(0, query.limit);
    const now = Date.now();
    return {
      network: network.name,
      hub: {
        publicKey: network.hubPublicKey,
        listenPort: network.listenPort,
        agentLastSeenAt: network.agentLastSeenAt?.toISOString() ?? null,
        agentHealthy: network.agentLastSeenAt !== null && now - network.agentLastSeenAt.getTime() < AGENT_HEALTHY_MS,
        desiredRevision: network.revision.toString(),
        appliedRevision: network.appliedRevision?.toString() ?? null,
        inSync: network.appliedRevision === network.revision,
        configSha256: network.appliedConfigSha256,
        applyState: (network.applyState as ApplyState | null) ?? null,
        applyProblem: network.applyProblem,
      },
      pool: { size: poolSize(network.ipv4Cidr), ...pool },
      settingsRevision: network.settingsRevision.toString(),
      peers: summary,
      items: page.map((p) => ({
        id: p.id,
        name: p.name,
        owner: p.ownerId,
        ownerPerson: p.ownerPerson,
        ipv4: p.ipv4,
        ipv6: p.ipv6,
        publicKey: p.publicKey,
        online: p.lastHandshakeAt !== null && now - p.lastHandshakeAt.getTime() < ONLINE_WINDOW_MS,
        deployed: p.firstHandshakeAt !== null,
        firstHandshakeAt: p.firstHandshakeAt?.toISOString() ?? null,
        lastHandshakeAt: p.lastHandshakeAt?.toISOString() ?? null,
        endpoint: p.endpoint,
        rxBytes: p.rxBytes.toString(),
        txBytes: p.txBytes.toString(),
        flagged: p.flaggedAt !== null,
        flagReason: p.flagReason,
        quarantined: p.quarantined,
        expiresAt: p.expiresAt?.toISOString() ?? null,
        expiringSoon: p.expiresAt !== null && p.expiresAt.getTime() < expiringBefore.getTime(),
        settingsRevision: p.settingsRevision?.toString() ?? null,
        olderSettings: p.settingsRevision !== null && p.settingsRevision < network.settingsRevision,
      })),
      nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1].id) : null,
    };
  }
}
