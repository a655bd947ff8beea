/**
 * The life of a peer: pending (a claim link not yet redeemed) → active → revoked or expired.
 * Pending and active peers are live: they hold a lease and are on the hub's desired state.
 */
export const PEER_STATUSES = ['pending', 'active', 'revoked', 'expired'] as const;
export type PeerStatus = (typeof PEER_STATUSES)[number];

export const LIVE_STATUSES = ['pending', 'active'] as const satisfies readonly PeerStatus[];
export type LiveStatus = (typeof LIVE_STATUSES)[number];

export const DELIVERIES = ['inline', 'link'] as const;
export type Delivery = (typeof DELIVERIES)[number];

export function isLive(status: PeerStatus): status is LiveStatus {
  return (LIVE_STATUSES as readonly string[]).includes(status);
}

/** A peer counts as online while its last handshake is younger than this (WireGuard re-handshakes every 2 min). */
export const ONLINE_WINDOW_MS = 3 * 60_000;

/** The hub agent counts as healthy when it reported within this window. */
export const AGENT_HEALTHY_MS = 60_000;

/** What a claim link can still do. */
export type ClaimState = 'ready' | 'served' | 'expired' | 'revoked';

/** The facts of a peer that decide its claim state (dates or ISO strings). */
export interface ClaimFacts {
  readonly status: PeerStatus;
  readonly servedAt: Date | string | null;
  readonly claimExpiresAt: Date | string | null;
}

/**
 * The one derivation of a claim link's state, used by the claim API, the claim page and the
 * pages' script: served wins, then revoked; a pending peer whose claim time ran out (or any
 * other non-pending peer) is expired; otherwise it is ready.
 */
export function claimState(peer: ClaimFacts, now: Date = new Date()): ClaimState {
  if (peer.servedAt !== null) {
    return 'served';
  }
  if (peer.status === 'revoked') {
    return 'revoked';
  }
  if (peer.status !== 'pending' || (peer.claimExpiresAt !== null && new Date(peer.claimExpiresAt) <= now)) {
    return 'expired';
  }
  return 'ready';
}

/** The problem code that refuses a claim in each state but ready (the API's 410 answers). */
export const CLAIM_REFUSALS = {
  served: 'config-already-served',
  revoked: 'peer-revoked',
  expired: 'claim-expired',
} as const satisfies Record<Exclude<ClaimState, 'ready'>, string>;

/** The claim state a refusal code stands for (the claim page's script reads the API's answer). */
export function claimStateOfRefusal(code: string): Exclude<ClaimState, 'ready'> | null {
  const entry = Object.entries(CLAIM_REFUSALS).find(([, c]) => c === code);
  return entry === undefined ? null : (entry[0] as Exclude<ClaimState, 'ready'>);
}
