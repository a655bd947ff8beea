import { Injectable, Logger } from '@nestjs/common';
import { applyStateOf } from '../domain/wg/apply-state';
import { isAdmin, type Principal } from '../domain/principal/principal';
import { Problems } from '../domain/problems/problems';
import { hubAddresses } from '../domain/network/network-spec';
import { duplicateWindowMs, observeEndpoint } from '../domain/wg/duplicates';
import type { NetworkRecord } from '../networks/networks.repository';
import { NetworksService } from '../networks/networks.service';
import { SecretsService } from '../secrets/secrets.service';
import type { DesiredState, HubStatusInput } from './hub.dto';
import { type DesiredPeerRow, HubRepository } from './hub.repository';
import { HubStatusRepository } from './hub-status.repository';
import { RevisionNotifier } from './revision-notifier';
import { RevisionTicker } from '../database/revision-ticker';

type DesiredPeer = DesiredState['peers'][number];

/** A built desired state: its revision (the ETag) and its JSON text (a DesiredState). */
export interface DesiredStateText {
  readonly revision: string;
  readonly json: string;
}

interface CachedState {
  revision: bigint;
  /** Each live peer's JSON (as JSON.stringify writes a DesiredState peer), by id. */
  byId: Map<string, string>;
  /** The live peer ids in id order, as the desired state lists them. */
  ids: string[];
  state: DesiredStateText;
}

@Injectable()
export class HubService {
  private readonly logger = new Logger('HubService');
  /**
   * The last built desired state per network (a burst of polls at one revision costs one read),
   * with its peers by id so the next revision is built from the changes alone.
   */
  private readonly cache = new Map<string, CachedState>();
  /** The build in progress per network: builds of one network run one at a time. */
  private readonly building = new Map<string, Promise<void>>();

  constructor(
    private readonly repository: HubRepository,
    private readonly statuses: HubStatusRepository,
    private readonly networks: NetworksService,
    private readonly secrets: SecretsService,
    private readonly notifier: RevisionNotifier,
    private readonly ticker: RevisionTicker,
  ) {}

  get stopping(): boolean {
    return this.notifier.stopping;
  }

  /** The agent's network: agent tokens only for their own network, admins for any. */
  async network(principal: Principal, name: string): Promise<NetworkRecord> {
    const network = await this.networks.resolve(principal, name);
    if (!isAdmin(principal) && !(principal.kind === 'token' && principal.networkId === network.id)) {
      throw Problems.notFound('network');
    }
    return network;
  }

  /**
   * The desired state, or null for "not modified". With `knownRevision` equal to the current
   * revision and waitMs > 0 it waits for the next change (long-poll).
   */
  async desiredState(
    network: NetworkRecord,
    knownRevision: string | null,
    waitMs: number,
    signal?: AbortSignal,
  ): Promise<DesiredStateText | null> {
    const deadline = Date.now() + waitMs;
    // The changes committed but not stamped yet are stamped first (a read of the partial index
    // when there are none), so the answer has every change committed before the request and
    // "not modified" means what it says. A long-poll subscribes before that, so no change after
    // it is missed.
    for (;;) {
      const remaining = deadline - Date.now();
      const wait =
        remaining > 0 && !signal?.aborted && !this.notifier.stopping
          ? this.notifier.subscribe(network.id, remaining, signal)
          : null;
      try {
        const revision = await this.ticker.stamp(network.id);
        if (revision === null) {
          throw Problems.notFound('network');
        }
        if (knownRevision === null || revision.toString() !== knownRevision) {
          return await this.render(network.id, revision);
        }
        if (wait === null) {
          return null;
        }
        // Woken by a change, the deadline, the client leaving or shutdown: read again.
        await wait.changed;
      } finally {
        wait?.cancel();
      }
    }
  }

  /**
   * The state at `revision` (or later), built once per revision and per network, one build at a
   * time. After a change only the peers changed since the cached revision are read and their
   * preshared keys opened (desiredStateSince); the list is merged in id order. A first build
   * (or a restart) reads every peer once.
   */
  private render(networkId: string, revision: bigint): Promise<DesiredStateText> {
    const previous = this.building.get(networkId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.build(networkId, revision));
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.building.set(networkId, settled);
    void settled.then(() => {
      if (this.building.get(networkId) === settled) {
        this.building.delete(networkId);
      }
    });
    return next;
  }

  private async build(networkId: string, revision: bigint): Promise<DesiredStateText> {
    const cached = this.cache.get(networkId);
    if (cached && cached.revision >= revision) {
      return cached.state;
    }
    const network = await this.networks.findById(networkId);
    if (network === null) {
      throw Problems.notFound('network');
    }
    // The peers are kept as their JSON text: a new revision is the unchanged texts joined with
    // the changed ones (no JSON.stringify of every peer again), and a text takes less memory
    // than the object it was made from.
    const peerJson = (p: DesiredPeerRow): string =>
      JSON.stringify({
        id: p.id,
        name: p.name,
        publicKey: p.publicKey,
        presharedKey: this.secrets.open(p.presharedKeyEnc, p.id, 'psk'),
        allowedIps: [`${p.ipv4}/32`, ...(p.ipv6 !== null ? [`${p.ipv6}/128`] : [])],
      } satisfies DesiredPeer);
    let built: Omit<CachedState, 'state'>;
    if (cached === undefined) {
      const state = await this.repository.desiredState(networkId);
      const byId = new Map<string, string>();
      for (const p of state.peers) {
        byId.set(p.id, peerJson(p));
      }
      built = { revision: state.revision, byId, ids: state.peers.map((p) => p.id) };
    } else {
      const delta = await this.repository.desiredStateSince(networkId, cached.revision);
      if (delta.revision <= cached.revision) {
        return cached.state;
      }
      // Open every changed key before touching the cached map: a failure leaves it as it was.
      const changes = delta.changed.map((row) => ({ id: row.id, json: row.live ? peerJson(row) : null }));
      const byId = cached.byId;
      const added: string[] = [];
      for (const { id, json } of changes) {
        if (json === null) {
          byId.delete(id);
        } else {
          if (!byId.has(id)) {
            added.push(id);
          }
          byId.set(id, json);
        }
      }
      // Ids compare as text exactly as Postgres orders uuids (fixed-width lowercase hex).
      added.sort();
      const ids: string[] = [];
      let next = 0;
      for (const id of cached.ids) {
        if (!byId.has(id)) {
          continue;
        }
        while (next < added.length && added[next] < id) {
          ids.push(added[next++]);
        }
        ids.push(id);
      }
      while (next < added.length) {
        ids.push(added[next++]);
      }
      built = { revision: delta.revision, byId, ids };
    }
    const head: Omit<DesiredState, 'peers'> = {
      network: network.name,
      revision: built.revision.toString(),
      interface: {
        addresses: hubAddresses(network),
        listenPort: network.listenPort,
        persistentKeepalive: network.persistentKeepalive,
      },
    };
    // Exactly JSON.stringify({...head, peers}): the peers array is the last property.
    const json = `${JSON.stringify(head).slice(0, -1)},"peers":[${built.ids.map((id) => built.byId.get(id)!).join(',')}]}`;
    const state: DesiredStateText = { revision: head.revision, json };
    this.cache.set(networkId, { ...built, state });
    return state;
  }

  async recordStatus(network: NetworkRecord, body: HubStatusInput): Promise<void> {
    const moved = await this.statuses.recordStatus(
      network.id,
      { revision: BigInt(body.appliedRevision), configSha256: body.configSha256, ...applyStateOf(body) },
      body.peers,
    );
    if (body.applyError) {
      this.logger.warn({ msg: 'hub agent reports a failed apply', network: network.name, error: body.applyError });
    }
    const now = Date.now();
    const windowMs = duplicateWindowMs(network.persistentKeepalive);
    const observedByKey = new Map(body.peers.map((p) => [p.publicKey, p]));
    for (const peer of moved) {
      const observed = observedByKey.get(peer.publicKey)!;
      // The agent samples the endpoints several times a second and says so itself; the reports alone see
      // only the endpoint at each report.
      let hosts = observed.duplicateSuspected?.sourceHosts ?? null;
      if (peer.moved) {
        const verdict = observeEndpoint(peer.endpointHistory, observed.endpoint!, now, windowMs);
        await this.statuses.saveEndpointHistory(peer.id, verdict.history);
        hosts ??= verdict.flagged ? verdict.hosts : null;
      }
      if (hosts !== null && peer.flaggedAt === null) {
        const flagged = await this.statuses.flagDuplicate(
          network.id,
          peer.id,
          `one key seen from ${hosts.join(' and ')} in turn: the same config on two machines`,
          hosts,
        );
        if (flagged) {
          // A quarantine takes it off the hub: the agents hear of it at once.
          this.ticker.poke(network.id);
          this.logger.warn({ msg: 'peer flagged: same config on two machines', network: network.name, peer: peer.id });
        }
      }
    }
  }
}
