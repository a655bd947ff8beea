/** A node's wg-quick config, as in the seed. Pure: rows in, text out. */
export interface PeerConfigInput {
  readonly privateKey: string | null; // null when the node made its own key pair
  readonly addresses: readonly string[]; // with prefix length, e.g. 172.22.2.13/24
  readonly dns: readonly string[];
  readonly mtu: number | null;
  readonly hubPublicKey: string;
  readonly presharedKey: string;
  readonly endpoint: string;
  readonly allowedIps: readonly string[];
  readonly persistentKeepalive: number;
}

export function renderPeerConfig(input: PeerConfigInput): string {
  const lines = ['[Interface]'];
  lines.push(
    input.privateKey === null
      ? '# PrivateKey = <the private key that belongs to the public key you sent>'
      : `PrivateKey = ${input.privateKey}`,
  );
  lines.push(`Address = ${input.addresses.join(', ')}`);
  if (input.dns.length > 0) {
    lines.push(`DNS = ${input.dns.join(', ')}`);
  }
  if (input.mtu !== null) {
    lines.push(`MTU = ${input.mtu}`);
  }
  lines.push(
    '',
    '[Peer]',
    `PublicKey = ${input.hubPublicKey}`,
    `PresharedKey = ${input.presharedKey}`,
    `Endpoint = ${input.endpoint}`,
    `AllowedIPs = ${input.allowedIps.join(', ')}`,
  );
  if (input.persistentKeepalive > 0) {
    lines.push(`PersistentKeepalive = ${input.persistentKeepalive}`);
  }
  return `${lines.join('\n')}\n`;
}
