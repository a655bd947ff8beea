import { Injectable } from '@nestjs/common';
import { CLAIM_REFUSALS, claimState, type ClaimState } from '../domain/peer/lifecycle';
import { DomainError, Problems } from '../domain/problems/problems';
import { hashSecret } from '../domain/tokens/tokens';
import { HubApplyService } from '../hub/hub-apply.service';
import { MetricsService } from '../metrics/metrics.service';
import { NetworksService } from '../networks/networks.service';
import type { HubApplied, PeerView } from '../peers/peers.dto';
import type { PeerRecord } from '../peers/peers.repository';
import { peerConfig, peerView } from '../peers/peer-view';
import { SecretsService } from '../secrets/secrets.service';
import { ClaimsRepository } from './claims.repository';

/** What a claim link's page shows. */
export interface ClaimPageState {
  state: ClaimState;
  name: string;
  network: string;
  at: string | null;
}

/** Claim links: redeemed once (invariant 2), every other attempt refused and audited. */
@Injectable()
export class ClaimsService {
  constructor(
    private readonly repository: ClaimsRepository,
    private readonly networks: NetworksService,
    private readonly secrets: SecretsService,
    private readonly metrics: MetricsService,
    private readonly hub: HubApplyService,
  ) {}

  /** null: not a claim token in its canonical spelling, refused without a lookup. */
  async redeem(
    claimToken: string | null,
  ): Promise<{ filename: string; text: string; peer: PeerView; hub: HubApplied }> {
    if (claimToken === null) {
      this.metrics.claim('claim-not-found');
      throw Problems.notFound('claim');
    }
    const hash = hashSecret(claimToken);
    const served = await this.repository.serve(hash, (peer) => ({
      actor: 'claim-link',
      action: 'peer.config-served',
      networkId: peer.networkId,
      targetType: 'peer',
      targetId: peer.id,
      details: { name: peer.name, delivery: 'link' },
    }));
    if (served === null) {
      const refusal = await this.refuse(hash);
      this.metrics.claim(refusal.code);
      throw refusal;
    }
    this.metrics.claim('served');
    // Rendered with the settings the serving statement read (and recorded on the peer).
    const network = { ...(await this.networks.require(served.peer.networkId)), ...served.settings };
    const privateKey =
      served.privateKeyEnc === null ? null : this.secrets.open(served.privateKeyEnc, served.peer.id, 'private');
    const presharedKey = this.secrets.open(served.peer.presharedKeyEnc, served.peer.id, 'psk');
    const config = peerConfig(network, served.peer, privateKey, presharedKey);
    const hub = await this.hub.waitForPeer(network, served.peer.id);
    return { ...config, peer: peerView(network, served.peer), hub };
  }

  /** What a claim link's page shows; reading it changes nothing. */
  async pageState(claimToken: string | null): Promise<ClaimPageState | null> {
    if (claimToken === null) {
      return null;
    }
    const peer = await this.repository.findByHash(hashSecret(claimToken));
    if (peer === null) {
      return null;
    }
    const network = await this.networks.require(peer.networkId);
    const state = claimState(peer);
    const at = {
      served: peer.servedAt?.toISOString() ?? null,
      revoked: peer.revokedAt?.toISOString() ?? null,
      expired: peer.claimExpiresAt?.toISOString() ?? null,
      ready: null,
    }[state];
    return { name: peer.name, network: network.name, state, at };
  }

  private async refuse(hash: string): Promise<DomainError> {
    const peer = await this.repository.findByHash(hash);
    if (peer === null) {
      return Problems.notFound('claim');
    }
    const error = refusalOf(peer);
    await this.repository.recordRefusal({
      actor: 'claim-link',
      action: 'peer.claim-refused',
      networkId: peer.networkId,
      targetType: 'peer',
      targetId: peer.id,
      details: { reason: error.code, name: peer.name },
    });
    return error;
  }
}

/** Why a claim that could not be served was refused (the claim state, as a problem). */
function refusalOf(peer: PeerRecord): DomainError {
  const state = claimState(peer);
  switch (state) {
    case 'served':
      return new DomainError(
        CLAIM_REFUSALS[state],
        'A config is served once. If you did not fetch it yourself, tell the hub administrator: the link may have been intercepted. Ask for a reissue.',
        { servedAt: peer.servedAt!.toISOString() },
      );
    case 'revoked':
      return new DomainError(CLAIM_REFUSALS[state], 'Ask the hub administrator for a new configuration.');
    case 'expired':
    case 'ready':
      // 'ready' here: the claim time ran out between the guarded UPDATE and this read.
      return new DomainError(CLAIM_REFUSALS.expired, 'Ask the hub administrator for a reissue.', {
        expiredAt: (peer.claimExpiresAt ?? peer.expiresAt)?.toISOString() ?? null,
      });
  }
}
