import { Inject, Injectable } from '@nestjs/common';
import { decodeCursor, encodeCursor } from '../common/http/cursor';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { actorOf, isAdmin, type Principal } from '../domain/principal/principal';
import { Problems } from '../domain/problems/problems';
import type { NetworkRecord } from '../networks/networks.repository';
import { NetworksService } from '../networks/networks.service';
import { RevisionTicker } from '../database/revision-ticker';
import type { ListPeersInput, MyDevice, PeerView } from './peers.dto';
import { ONLINE_WINDOW_MS } from '../domain/peer/lifecycle';
import { PeersRepository, type PeerRecord } from './peers.repository';
import { peerView } from './peer-view';

/** Reading, listing, revoking and expiring peers. */
@Injectable()
export class PeersService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'leaseCooldownMs'>,
    private readonly repository: PeersRepository,
    private readonly networks: NetworksService,
    private readonly ticker: RevisionTicker,
  ) {}

  /** A peer the principal may see (a well-formed id): admins see all, requesters their own; others get 404. */
  async get(principal: Principal, peerId: string): Promise<PeerRecord> {
    const peer = await this.repository.findById(peerId);
    if (peer === null || !maySee(principal, peer)) {
      throw Problems.notFound('peer');
    }
    return peer;
  }

  findById(id: string): Promise<PeerRecord | null> {
    return this.repository.findById(id);
  }

  async getView(principal: Principal, peerId: string): Promise<PeerView> {
    const peer = await this.get(principal, peerId);
    const [view] = await this.withOwners(principal, [peerView(await this.networks.require(peer.networkId), peer)]);
    return view;
  }

  /** For admins, each view names its owner by e-mail and name (never the id alone when those are known). */
  private async withOwners(principal: Principal, views: PeerView[]): Promise<PeerView[]> {
    if (!isAdmin(principal)) {
      return views;
    }
    const people = await this.repository.ownerPeople(views.map((v) => v.owner));
    return views.map((v) => ({ ...v, ownerPerson: people.get(v.owner) ?? null }));
  }

  /** Renames a live peer the principal may see (admins: any; requesters: their own; others 404). */
  async rename(principal: Principal, peerId: string, name: string): Promise<PeerView> {
    const peer = await this.get(principal, peerId);
    if (!(await this.repository.rename(peer.id, name, actorOf(principal)))) {
      throw Problems.peerNotLive('Only a pending or active peer can be renamed.');
    }
    return this.getView(principal, peerId);
  }

  async list(
    principal: Principal,
    network: NetworkRecord,
    query: ListPeersInput,
  ): Promise<{ items: PeerView[]; nextCursor: string | null }> {
    const afterId = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const rows = await this.repository.list({
      networkId: network.id,
      ownerId: isAdmin(principal) ? undefined : actorOf(principal),
      status: query.status,
      nameContains: query.name,
      afterId,
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const more = rows.length > query.limit;
    return {
      items: await this.withOwners(
        principal,
        page.map((p) => peerView(network, p)),
      ),
      nextCursor: more ? encodeCursor(page[page.length - 1].id) : null,
    };
  }

  /** The caller's own devices in every network, with their last handshake and online state. */
  async mine(principal: Principal): Promise<MyDevice[]> {
    const rows = await this.repository.listByOwner(actorOf(principal), 500);
    const networks = new Map<string, NetworkRecord>();
    const now = Date.now();
    const out: MyDevice[] = [];
    for (const peer of rows) {
      if (!networks.has(peer.networkId)) {
        networks.set(peer.networkId, await this.networks.require(peer.networkId));
      }
      const last = peer.lastHandshakeAt;
      out.push({
        ...peerView(networks.get(peer.networkId)!, peer),
        lastHandshakeAt: last?.toISOString() ?? null,
        online: peer.status === 'active' && last !== null && now - last.getTime() < ONLINE_WINDOW_MS,
      });
    }
    return out;
  }

  async revoke(principal: Principal, peerId: string): Promise<PeerView> {
    const peer = await this.get(principal, peerId);
    await this.repository.revoke(peer.id, this.config.leaseCooldownMs, actorOf(principal));
    // The hub hears of it at once, and the answer shows the revision (the stamp, and its NOTIFY).
    await this.ticker.settle(peer.networkId);
    return this.getView(principal, peerId);
  }

  /** Expires the peers past their deadline, and stamps the revisions of those changes. */
  async expireDue(): Promise<string[]> {
    const expired = await this.repository.expireDue(this.config.leaseCooldownMs);
    if (expired.length > 0) {
      await this.ticker.stampAll();
    }
    return expired;
  }

  /** Drops idempotency keys past their 24 h (run by the expiry sweep). */
  pruneIdempotencyKeys(): Promise<number> {
    return this.repository.pruneIdempotencyKeys();
  }
}

function maySee(principal: Principal, peer: PeerRecord): boolean {
  if (isAdmin(principal)) {
    return true;
  }
  return principal.kind !== 'enrollment-key' && peer.ownerId === actorOf(principal);
}
