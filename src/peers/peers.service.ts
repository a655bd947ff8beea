import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomInt } from 'node:crypto';
import { actorOf, isAdmin, type Principal } from '../auth/principal';
import { DomainError, Problems } from '../common/errors/domain-error';
import { decodeCursor, encodeCursor } from '../common/http/cursor';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { MetricsService } from '../metrics/metrics.service';
import { UUID_PATTERN, uuidv7 } from '../domain/ids/uuid';
import {
  CidrError,
  firstLeasableHost,
  hostOfIpv4,
  isLeasableHost,
  lastLeasableHost,
  parseIpv4Cidr,
  parseIpv6Cidr,
} from '../domain/ipam/cidr';
import { generateKeyPair, generatePresharedKey } from '../domain/keys/x25519';
import { peerAddresses } from '../domain/network/network-spec';
import { renderPeerConfig } from '../domain/render/peer-config';
import { configFileName } from '../domain/text/text';
import { hashSecret, newSecret } from '../domain/tokens/tokens';
import type { NetworkRecord } from '../networks/networks.repository';
import { checkPublicKey, NetworksService } from '../networks/networks.service';
import type { EnrollInput, EnrollResponse, ListPeersInput, PeerView, ReissueInput } from './peers.dto';
import {
  PeersRepository,
  type EnrollFailure,
  type EnrollResult,
  type KeyMaterial,
  type PeerRecord,
} from './peers.repository';
import { SecretsService } from './secrets.service';

const FAILURES: Record<EnrollFailure, () => DomainError> = {
  'pool-exhausted': () =>
    Problems.conflict(
      'pool-exhausted',
      'No free address is left in this network',
      'Revoke unused peers or widen the network.',
    ),
  'address-unavailable': () =>
    Problems.conflict(
      'address-unavailable',
      'That address is taken or cooling down',
      'Pick another address or let the service choose.',
    ),
  'enrollment-key-spent': () => new DomainError(403, 'enrollment-key-spent', 'This enrollment key has no uses left'),
  'public-key-in-use': () =>
    Problems.conflict(
      'public-key-in-use',
      'This public key belongs to another live peer',
      'Make a new key pair for each device.',
    ),
};

/** Idempotency keys live this long (then the same key makes a new peer). */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** A retry of an enrollment whose peer is still waiting for its claim: the peer, no secret. */
export class Replayed {
  constructor(readonly body: EnrollResponse) {}
}

/** JSON with object keys sorted, so equal requests hash equally. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function failed(result: Exclude<EnrollResult, { ok: true }>): DomainError {
  if (result.reason === 'idempotent-replay') {
    throw new Error('replay outside an idempotent enrollment');
  }
  return FAILURES[result.reason as EnrollFailure]();
}

interface Keys {
  material: KeyMaterial;
  privateKey: string | null; // for the inline config only; never stored in clear
  presharedKey: string;
  claimToken: string | null;
}

@Injectable()
export class PeersService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: PeersRepository,
    private readonly networks: NetworksService,
    private readonly secrets: SecretsService,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Enrolls one device. With an Idempotency-Key (per credential, 24 h) a retry of the same
   * request makes no second peer or lease: it gets the first peer back without any secret
   * (a Replayed, for a claim link not yet redeemed) or 409 idempotent-replay naming the peer
   * (once its config was served: a secret exists once); the same key with another request is
   * 422 idempotency-key-reused.
   */
  async enroll(
    principal: Principal,
    networkName: string,
    body: EnrollInput,
    idempotencyKey?: string,
  ): Promise<EnrollResponse | Replayed> {
    const network = await this.networks.resolve(principal, networkName);
    if (network.hubPublicKey === null) {
      throw Problems.conflict(
        'hub-not-registered',
        "The hub's public key is not known yet",
        'Start the hub agent (or set the key with PUT /v1/networks/{network}/hub), then enroll again.',
      );
    }
    const expiresAt = body.expiresAt === undefined ? null : new Date(body.expiresAt);
    const pinnedHost = body.address === undefined ? null : this.pinnedHost(principal, network, body.address);
    const id = uuidv7();
    const keys = this.makeKeys(id, body.publicKey, body.delivery, expiresAt);
    const v4 = parseIpv4Cidr(network.ipv4Cidr);
    const actor = actorOf(principal);
    const idempotency =
      idempotencyKey === undefined
        ? undefined
        : {
            scope: `${principal.kind}:${principal.id}`,
            key: idempotencyKey,
            requestHash: createHash('sha256')
              .update(canonical({ network: network.id, body }))
              .digest('hex'),
            ttlMs: IDEMPOTENCY_TTL_MS,
            peerId: id,
          };
    const result = await this.repository.enroll({
      idempotency,
      networkId: network.id,
      pinnedHost,
      startHost: randomInt(firstLeasableHost(), lastLeasableHost(v4) + 1),
      enrollmentKeyId: principal.kind === 'enrollment-key' ? principal.id : null,
      build: (host) => ({
        id,
        name: body.name,
        ownerId: actor,
        ...peerAddresses(network, host),
        ...keys.material,
        expiresAt,
      }),
      event: (peer) => ({
        actor,
        action: 'peer.enrolled',
        networkId: network.id,
        targetType: 'peer',
        targetId: id,
        details: {
          name: peer.name,
          ipv4: peer.ipv4,
          ipv6: peer.ipv6,
          publicKey: peer.publicKey,
          delivery: peer.delivery,
        },
      }),
    });
    if (!result.ok && result.reason === 'idempotent-replay') {
      return this.replay(network, idempotency!.requestHash, result.replay);
    }
    if (!result.ok) {
      throw failed(result);
    }
    this.metrics.enrolled(network.name, body.delivery);
    return this.deliver(network, result.peer, keys);
  }

  async reissue(principal: Principal, peerId: string, body: ReissueInput): Promise<EnrollResponse> {
    const peer = await this.get(principal, peerId);
    if (peer.status !== 'pending' && peer.status !== 'active') {
      throw Problems.conflict('peer-not-live', `The peer is ${peer.status}`, 'Enroll a new peer instead.');
    }
    const network = await this.requireNetwork(peer.networkId);
    const keys = this.makeKeys(peer.id, body.publicKey, body.delivery, peer.expiresAt);
    const result = await this.repository.rekey(peer.id, keys.material, {
      actor: actorOf(principal),
      action: 'peer.reissued',
      networkId: peer.networkId,
      targetType: 'peer',
      targetId: peer.id,
      details: {
        name: peer.name,
        oldPublicKey: peer.publicKey,
        publicKey: keys.material.publicKey,
        delivery: body.delivery,
      },
    });
    if (result === null) {
      throw Problems.conflict('peer-not-live', 'The peer was revoked or expired meanwhile');
    }
    if (!result.ok) {
      throw failed(result);
    }
    return this.deliver(network, result.peer, keys);
  }

  private async replay(
    network: NetworkRecord,
    requestHash: string,
    record: { requestHash: string; peerId: string },
  ): Promise<Replayed> {
    if (record.requestHash !== requestHash) {
      throw new DomainError(
        422,
        'idempotency-key-reused',
        'This Idempotency-Key was used for another request',
        'Use a new key for a new request; a key names one request for 24 hours.',
      );
    }
    const peer = await this.repository.findById(record.peerId);
    if (peer === null) {
      throw new Error(`peer ${record.peerId} of an idempotency key vanished`);
    }
    const view = this.view(network, peer);
    if (peer.delivery === 'link' && peer.status === 'pending' && peer.servedAt === null) {
      // The claim link from the first answer still works; it is a secret and is not shown again.
      return new Replayed({ peer: view });
    }
    throw Problems.conflict(
      'idempotent-replay',
      'This request was already carried out',
      `Peer ${peer.id} was enrolled by the first request with this Idempotency-Key and its configuration was already handed out; a secret is shown once. Ask for a reissue if it was lost.`,
      { peerId: peer.id, peer: view },
    );
  }

  /** Drops idempotency keys past their 24 h (run by the expiry sweep). */
  pruneIdempotencyKeys(): Promise<number> {
    return this.repository.pruneIdempotencyKeys();
  }

  /** Redeems a claim link once (invariant 2); every other attempt is refused and audited. */
  async redeemClaim(claimToken: string): Promise<{ filename: string; text: string; peer: PeerView }> {
    const hash = hashSecret(claimToken);
    const served = await this.repository.serveClaim(hash, (peer) => ({
      actor: 'claim-link',
      action: 'peer.config-served',
      networkId: peer.networkId,
      targetType: 'peer',
      targetId: peer.id,
      details: { name: peer.name, delivery: 'link' },
    }));
    if (served === null) {
      const refusal = await this.refuseClaim(hash);
      this.metrics.claim(refusal.code);
      throw refusal;
    }
    this.metrics.claim('served');
    const network = await this.requireNetwork(served.peer.networkId);
    const privateKey =
      served.privateKeyEnc === null ? null : this.secrets.open(served.privateKeyEnc, served.peer.id, 'private');
    const presharedKey = this.secrets.open(served.peer.presharedKeyEnc, served.peer.id, 'psk');
    return {
      ...this.renderConfig(network, served.peer, privateKey, presharedKey),
      peer: this.view(network, served.peer),
    };
  }

  private async refuseClaim(hash: string): Promise<DomainError> {
    const peer = await this.repository.findByClaimHash(hash);
    if (peer === null) {
      return Problems.notFound('claim');
    }
    let error: DomainError;
    if (peer.servedAt !== null) {
      error = Problems.gone(
        'config-already-served',
        'This configuration was already handed out',
        'A config is served once. If you did not fetch it yourself, tell the hub administrator: the link may have been intercepted. Ask for a reissue.',
        { servedAt: peer.servedAt.toISOString() },
      );
    } else if (peer.status === 'revoked') {
      error = Problems.gone(
        'peer-revoked',
        'This peer was revoked',
        'Ask the hub administrator for a new configuration.',
      );
    } else {
      error = Problems.gone(
        'claim-expired',
        'This claim link has expired',
        'Ask the hub administrator for a reissue.',
        {
          expiredAt: (peer.claimExpiresAt ?? peer.expiresAt)?.toISOString() ?? null,
        },
      );
    }
    await this.repository.recordAudit({
      actor: 'claim-link',
      action: 'peer.claim-refused',
      networkId: peer.networkId,
      targetType: 'peer',
      targetId: peer.id,
      details: { reason: error.code, name: peer.name },
    });
    return error;
  }

  /** What a claim link's page shows; reading it changes nothing. */
  async claimState(claimToken: string): Promise<{
    state: 'ready' | 'served' | 'expired' | 'revoked';
    name: string;
    network: string;
    at: string | null;
  } | null> {
    const peer = await this.repository.findByClaimHash(hashSecret(claimToken));
    if (peer === null) {
      return null;
    }
    const network = await this.requireNetwork(peer.networkId);
    const base = { name: peer.name, network: network.name };
    if (peer.servedAt !== null) {
      return { ...base, state: 'served', at: peer.servedAt.toISOString() };
    }
    if (peer.status === 'revoked') {
      return { ...base, state: 'revoked', at: peer.revokedAt?.toISOString() ?? null };
    }
    if (peer.status !== 'pending' || (peer.claimExpiresAt !== null && peer.claimExpiresAt <= new Date())) {
      return { ...base, state: 'expired', at: peer.claimExpiresAt?.toISOString() ?? null };
    }
    return { ...base, state: 'ready', at: null };
  }

  /** A peer the principal may see: admins see all, requesters their own; others get 404. */
  async get(principal: Principal, peerId: string): Promise<PeerRecord> {
    const peer = UUID_PATTERN.test(peerId) ? await this.repository.findById(peerId) : null;
    if (peer === null || !this.maySee(principal, peer)) {
      throw Problems.notFound('peer');
    }
    return peer;
  }

  async getView(principal: Principal, peerId: string): Promise<PeerView> {
    const peer = await this.get(principal, peerId);
    return this.view(await this.requireNetwork(peer.networkId), peer);
  }

  async list(
    principal: Principal,
    networkName: string,
    query: ListPeersInput,
  ): Promise<{ items: PeerView[]; nextCursor: string | null }> {
    const network = await this.networks.resolve(principal, networkName);
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
      items: page.map((p) => this.view(network, p)),
      nextCursor: more ? encodeCursor(page[page.length - 1].id) : null,
    };
  }

  async revoke(principal: Principal, peerId: string): Promise<PeerView> {
    const peer = await this.get(principal, peerId);
    await this.repository.revoke(peer.id, this.config.leaseCooldownMs, actorOf(principal));
    return this.getView(principal, peerId);
  }

  expireDue(): Promise<string[]> {
    return this.repository.expireDue(this.config.leaseCooldownMs);
  }

  view(network: NetworkRecord, peer: PeerRecord): PeerView {
    return {
      id: peer.id,
      network: network.name,
      name: peer.name,
      owner: peer.ownerId,
      status: peer.status,
      ipv4: peer.ipv4,
      ipv6: peer.ipv6,
      addresses: this.addresses(network, peer),
      publicKey: peer.publicKey,
      delivery: peer.delivery as 'inline' | 'link',
      createdAt: peer.createdAt.toISOString(),
      servedAt: peer.servedAt?.toISOString() ?? null,
      claimExpiresAt: peer.status === 'pending' ? (peer.claimExpiresAt?.toISOString() ?? null) : null,
      expiresAt: peer.expiresAt?.toISOString() ?? null,
      revokedAt: peer.revokedAt?.toISOString() ?? null,
      revision: peer.revision.toString(),
    };
  }

  private maySee(principal: Principal, peer: PeerRecord): boolean {
    if (isAdmin(principal)) {
      return true;
    }
    return principal.kind === 'token' && peer.ownerId === actorOf(principal);
  }

  private pinnedHost(principal: Principal, network: NetworkRecord, address: string): number {
    if (!isAdmin(principal)) {
      throw Problems.forbidden('Only an admin may pin an address.');
    }
    const v4 = parseIpv4Cidr(network.ipv4Cidr);
    let host: number | null;
    try {
      host = hostOfIpv4(v4, address);
    } catch (error) {
      if (error instanceof CidrError) {
        throw Problems.validation([{ field: 'address', message: error.message }]);
      }
      throw error;
    }
    if (host === null || !isLeasableHost(v4, host)) {
      throw Problems.badRequest(
        'address-out-of-range',
        'That address cannot be leased in this network',
        `Leasable addresses are the hosts of ${network.ipv4Cidr} except the network, hub (.1) and broadcast addresses.`,
      );
    }
    return host;
  }

  private makeKeys(
    peerId: string,
    publicKey: string | undefined,
    delivery: 'inline' | 'link',
    expiresAt: Date | null,
  ): Keys {
    let privateKey: string | null = null;
    if (publicKey === undefined) {
      const pair = generateKeyPair();
      privateKey = pair.privateKey;
      publicKey = pair.publicKey;
    } else {
      checkPublicKey('publicKey', publicKey);
    }
    const presharedKey = generatePresharedKey();
    const inline = delivery === 'inline';
    const claimToken = inline ? null : newSecret('claim');
    const ttlEnd = new Date(Date.now() + this.config.claimTtlMs);
    return {
      privateKey,
      presharedKey,
      claimToken,
      material: {
        publicKey,
        presharedKeyEnc: this.secrets.seal(presharedKey, peerId, 'psk'),
        // Inline: the private key is never stored. Link: stored encrypted until served.
        privateKeyEnc: inline || privateKey === null ? null : this.secrets.seal(privateKey, peerId, 'private'),
        status: inline ? 'active' : 'pending',
        delivery,
        claimTokenHash: claimToken === null ? null : hashSecret(claimToken),
        claimExpiresAt: inline ? null : expiresAt !== null && expiresAt < ttlEnd ? expiresAt : ttlEnd,
        servedAt: inline ? new Date() : null,
      },
    };
  }

  private deliver(network: NetworkRecord, peer: PeerRecord, keys: Keys): EnrollResponse {
    const view = this.view(network, peer);
    if (keys.claimToken !== null) {
      return {
        peer: view,
        claim: {
          url: `${this.config.publicUrl}/claim/${keys.claimToken}`,
          expiresAt: peer.claimExpiresAt!.toISOString(),
        },
      };
    }
    return { peer: view, config: this.renderConfig(network, peer, keys.privateKey, keys.presharedKey) };
  }

  private renderConfig(network: NetworkRecord, peer: PeerRecord, privateKey: string | null, presharedKey: string) {
    return {
      filename: configFileName(network.name, peer.name),
      text: renderPeerConfig({
        privateKey,
        addresses: this.addresses(network, peer),
        dns: network.dns,
        mtu: network.mtu,
        hubPublicKey: network.hubPublicKey!,
        presharedKey,
        endpoint: network.endpoint,
        allowedIps: network.allowedIps,
        persistentKeepalive: network.persistentKeepalive,
      }),
    };
  }

  private addresses(network: NetworkRecord, peer: PeerRecord): string[] {
    const out = [`${peer.ipv4}/${parseIpv4Cidr(network.ipv4Cidr).prefix}`];
    if (peer.ipv6 !== null && network.ipv6Cidr !== null) {
      out.push(`${peer.ipv6}/${parseIpv6Cidr(network.ipv6Cidr).prefix}`);
    }
    return out;
  }

  private async requireNetwork(id: string): Promise<NetworkRecord> {
    const network = await this.networks.findById(id);
    if (network === null) {
      throw new Error(`network ${id} vanished`);
    }
    return network;
  }
}
