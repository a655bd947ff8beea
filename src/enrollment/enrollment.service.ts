import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomInt } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { uuidv7 } from '../domain/ids/uuid';
import { firstLeasableHost, lastLeasableHost, parseIpv4Cidr } from '../domain/ipam/cidr';
import { canonicalPublicKey, generateKeyPair, generatePresharedKey } from '../domain/keys/x25519';
import { isLive, type Delivery } from '../domain/peer/lifecycle';
import { actorOf, isAdmin, isSelfService, type Principal } from '../domain/principal/principal';
import { DomainError, Problems } from '../domain/problems/problems';
import { hashSecret, newSecret } from '../domain/tokens/tokens';
import { HubApplyService } from '../hub/hub-apply.service';
import { MetricsService } from '../metrics/metrics.service';
import type { NetworkRecord } from '../networks/networks.repository';
import { checkPublicKey, NetworksService } from '../networks/networks.service';
import type { EnrollInput, EnrollResponse, ReissueInput } from '../peers/peers.dto';
import type { PeerRecord } from '../peers/peers.repository';
import { PeersService } from '../peers/peers.service';
import { peerConfig, peerView } from '../peers/peer-view';
import { SecretsService } from '../secrets/secrets.service';
import { EnrollmentRepository, type KeyMaterial } from './enrollment.repository';
import { canonical, IDEMPOTENCY_TTL_MS, Replayed } from './idempotency';
import { pinnedHost } from './pinned-host';

/** A pending peer (claim link not redeemed) is not in the desired state. */
const NOT_ON_HUB = { applied: false, revision: null } as const;

interface Keys {
  material: KeyMaterial;
  privateKey: string | null; // for the inline config only; never stored in clear
  presharedKey: string;
  claimToken: string | null;
}

/** Enrolling a device and reissuing its keys: the service decides, the repository commits. */
@Injectable()
export class EnrollmentService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'claimTtlMs' | 'publicUrl'>,
    private readonly repository: EnrollmentRepository,
    private readonly peers: PeersService,
    private readonly networks: NetworksService,
    private readonly secrets: SecretsService,
    private readonly metrics: MetricsService,
    private readonly hub: HubApplyService,
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
    network: NetworkRecord,
    body: EnrollInput,
    idempotencyKey?: string,
  ): Promise<EnrollResponse | Replayed> {
    if (network.hubPublicKey === null) {
      throw new DomainError(
        'hub-not-registered',
        'Start the hub agent (or set the key with PUT /v1/networks/{network}/hub), then enroll again.',
      );
    }
    if (isSelfService(principal) && !network.selfService) {
      throw new DomainError('self-service-closed', 'Ask the hub administrators to open it, or for an enrollment key.');
    }
    const expiresAt = body.expiresAt === undefined ? null : new Date(body.expiresAt);
    const pinned = body.address === undefined ? null : pinnedHost(isAdmin(principal), network, body.address);
    const id = uuidv7();
    const keys = this.makeKeys(network, id, body.publicKey, body.delivery, expiresAt);
    refuseHubKey(network, keys.material.publicKey);
    const actor = actorOf(principal);
    const requestHash = createHash('sha256')
      .update(canonical({ network: network.id, body }))
      .digest('hex');
    const result = await this.repository.enroll({
      network,
      pinnedHost: pinned,
      startHost: randomInt(firstLeasableHost(), lastLeasableHost(parseIpv4Cidr(network.ipv4Cidr)) + 1),
      enrollmentKeyId: principal.kind === 'enrollment-key' ? principal.id : null,
      peer: { id, name: body.name, ownerId: actor, ...keys.material, expiresAt },
      ...(isSelfService(principal) ? { deviceLimit: network.devicesPerUser } : {}),
      event: {
        actor,
        action: 'peer.enrolled',
        networkId: network.id,
        targetType: 'peer',
        targetId: id,
        details: { name: body.name, publicKey: keys.material.publicKey, delivery: body.delivery },
      },
      idempotency:
        idempotencyKey === undefined
          ? undefined
          : { scope: `${principal.kind}:${principal.id}`, key: idempotencyKey, requestHash, ttlMs: IDEMPOTENCY_TTL_MS },
    });
    if (result.kind === 'replay') {
      return this.replay(network, requestHash, result.record);
    }
    this.metrics.enrolled(network.name, body.delivery);
    return this.deliver(network, result.peer, keys);
  }

  async reissue(principal: Principal, peerId: string, body: ReissueInput): Promise<EnrollResponse> {
    const peer = await this.peers.get(principal, peerId);
    if (!isLive(peer.status)) {
      throw Problems.peerNotLive(`The peer is ${peer.status}. Enroll a new peer instead.`);
    }
    const network = await this.networks.require(peer.networkId);
    const keys = this.makeKeys(network, peer.id, body.publicKey, body.delivery, peer.expiresAt);
    refuseHubKey(network, keys.material.publicKey);
    const reissued = await this.repository.rekey(peer.id, keys.material, {
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
    return this.deliver(network, reissued, keys);
  }

  private async replay(
    network: NetworkRecord,
    requestHash: string,
    record: { requestHash: string; peerId: string },
  ): Promise<Replayed> {
    if (record.requestHash !== requestHash) {
      throw new DomainError(
        'idempotency-key-reused',
        'Use a new key for a new request; a key names one request for 24 hours.',
      );
    }
    const peer = await this.peers.findById(record.peerId);
    if (peer === null) {
      throw new Error(`peer ${record.peerId} of an idempotency key vanished`);
    }
    const view = peerView(network, peer);
    if (peer.delivery === 'link' && peer.status === 'pending' && peer.servedAt === null) {
      // The claim link from the first answer still works; it is a secret and is not shown again.
      return new Replayed({ peer: view, hub: NOT_ON_HUB });
    }
    throw new DomainError(
      'idempotent-replay',
      `Peer ${peer.id} was enrolled by the first request with this Idempotency-Key and its configuration was already handed out; a secret is shown once. Ask for a reissue if it was lost.`,
      { peerId: peer.id, peer: view },
    );
  }

  /** `network`: the record the inline config is rendered from, so its settings revision is the one recorded. */
  private makeKeys(
    network: NetworkRecord,
    peerId: string,
    publicKey: string | undefined,
    delivery: Delivery,
    expiresAt: Date | null,
  ): Keys {
    let privateKey: string | null = null;
    if (publicKey === undefined) {
      const pair = generateKeyPair();
      privateKey = pair.privateKey;
      publicKey = pair.publicKey;
    } else {
      publicKey = checkPublicKey('publicKey', publicKey);
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
        settingsRevision: inline ? network.settingsRevision : null,
      },
    };
  }

  /**
   * The answer: a claim link (the peer is not on the hub until claimed), or the config once the
   * hub has the peer (waited for, bounded: HubApplyService).
   */
  private async deliver(network: NetworkRecord, peer: PeerRecord, keys: Keys): Promise<EnrollResponse> {
    const view = peerView(network, peer);
    if (keys.claimToken !== null) {
      return {
        peer: view,
        claim: {
          url: `${this.config.publicUrl}/claim/${keys.claimToken}`,
          expiresAt: peer.claimExpiresAt!.toISOString(),
        },
        hub: NOT_ON_HUB,
      };
    }
    const hub = await this.hub.waitForPeer(network, peer.id);
    return { peer: view, config: peerConfig(network, peer, keys.privateKey, keys.presharedKey), hub };
  }
}

/** The hub's own key as a peer key lands in the hub file, where WireGuard drops it: refused. */
function refuseHubKey(network: { hubPublicKey: string | null }, publicKey: string): void {
  if (network.hubPublicKey !== null && canonicalPublicKey(network.hubPublicKey) === publicKey) {
    throw Problems.publicKeyIsHubKey();
  }
}
