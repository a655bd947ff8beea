import type { WgPeerDump } from './dump';

export interface DesiredHubPeer {
  readonly publicKey: string;
  readonly presharedKey: string;
  readonly allowedIps: readonly string[];
}

/**
 * What must change on an interface to make its peers the desired ones. A peer whose allowed IPs
 * differ is removed and added again (addconf only adds allowed IPs). Pure.
 */
export function planPeerChanges(
  current: readonly WgPeerDump[],
  desired: readonly DesiredHubPeer[],
): { remove: string[]; upsert: DesiredHubPeer[] } {
  const wanted = new Map(desired.map((p) => [p.publicKey, p]));
  const remove: string[] = [];
  const upsert: DesiredHubPeer[] = [];
  const present = new Map(current.map((p) => [p.publicKey, p]));
  for (const peer of current) {
    const want = wanted.get(peer.publicKey);
    if (want === undefined || !sameSet(peer.allowedIps, want.allowedIps)) {
      remove.push(peer.publicKey);
    }
  }
  for (const want of desired) {
    const have = present.get(want.publicKey);
    if (have === undefined || !sameSet(have.allowedIps, want.allowedIps) || have.presharedKey !== want.presharedKey) {
      upsert.push(want);
    }
  }
  return { remove, upsert };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');
}
