import { parseIpv4Cidr, parseIpv6Cidr } from '../domain/ipam/cidr';
import { renderPeerConfig } from '../domain/render/peer-config';
import { configNameStem } from '../domain/text/text';
import { hubAddresses } from '../domain/network/network-spec';
import type { NetworkRecord } from '../networks/networks.repository';
import type { ConfigView, PeerView } from './peers.dto';
import type { PeerRecord } from './peers.repository';

/** The peer as the API shows it (no secret). */
export function peerView(network: NetworkRecord, peer: PeerRecord): PeerView {
  return {
    id: peer.id,
    network: network.name,
    name: peer.name,
    owner: peer.ownerId,
    status: peer.status,
    ipv4: peer.ipv4,
    ipv6: peer.ipv6,
    addresses: peerCidrs(network, peer),
    publicKey: peer.publicKey,
    delivery: peer.delivery as 'inline' | 'link',
    createdAt: peer.createdAt.toISOString(),
    servedAt: peer.servedAt?.toISOString() ?? null,
    claimExpiresAt: peer.status === 'pending' ? (peer.claimExpiresAt?.toISOString() ?? null) : null,
    expiresAt: peer.expiresAt?.toISOString() ?? null,
    revokedAt: peer.revokedAt?.toISOString() ?? null,
    settingsRevision: peer.settingsRevision?.toString() ?? null,
    revision: peer.revision?.toString() ?? null,
  };
}

/** The wg-quick file of a peer, named so that `wg-quick up ./<file>` works. */
export function peerConfig(
  network: NetworkRecord,
  peer: PeerRecord,
  privateKey: string | null,
  presharedKey: string,
): ConfigView {
  const hub = hubAddresses(network).map((cidr) => cidr.slice(0, cidr.indexOf('/')));
  return {
    filename: `${peer.configName ?? configNameStem(peer.name)}.conf`,
    privateKeyIncluded: privateKey !== null,
    hubAddresses: hub,
    text: renderPeerConfig({
      privateKey,
      addresses: peerCidrs(network, peer),
      dns: network.dns,
      mtu: network.mtu,
      hubPublicKey: network.hubPublicKey!,
      presharedKey,
      endpoint: network.endpoint,
      allowedIps: network.allowedIps,
      persistentKeepalive: network.persistentKeepalive,
      hubAddresses: hub,
    }),
  };
}

function peerCidrs(network: NetworkRecord, peer: PeerRecord): string[] {
  const out = [`${peer.ipv4}/${parseIpv4Cidr(network.ipv4Cidr).prefix}`];
  if (peer.ipv6 !== null && network.ipv6Cidr !== null) {
    out.push(`${peer.ipv6}/${parseIpv6Cidr(network.ipv6Cidr).prefix}`);
  }
  return out;
}
