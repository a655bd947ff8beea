import { KEY_PATTERN } from '../keys/key-pattern';

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
  /** The hub's own addresses in the tunnel (no prefix length): what to ping to check it. */
  readonly hubAddresses: readonly string[];
}

export function renderPeerConfig(input: PeerConfigInput): string {
  const lines = ['[Interface]'];
  lines.push(input.privateKey === null ? PRIVATE_KEY_PLACEHOLDER : `PrivateKey = ${input.privateKey}`);
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
  if (input.hubAddresses.length > 0) {
    lines.push(
      '',
      `# The hub in the tunnel: ${input.hubAddresses.join(', ')}. Check the tunnel with: ping ${input.hubAddresses[0]}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The line the server writes where the private key goes when the client holds the key. It is
 * a PrivateKey line whose value is no key, not a comment: wg(8) (so `wg-quick up`), and the
 * Windows, Android and NetworkManager parsers refuse the file until the key is put in, instead
 * of bringing up an interface without one. No "#" in it: wg-quick would cut the line there.
 */
export const PRIVATE_KEY_PLACEHOLDER = 'PrivateKey = <the private key that belongs to the public key you sent>';

/**
 * Puts a client-held private key into a config the server rendered without it (the browser
 * does this, so the key never leaves it). Pure; refuses anything but exactly one placeholder
 * line and a well-formed WireGuard key, so a config can never end up with two keys or none.
 */
export function insertPrivateKey(configText: string, privateKey: string): string {
  if (!KEY_PATTERN.test(privateKey)) {
    throw new Error('not a WireGuard private key (44 characters of base64)');
  }
  const lines = configText.split('\n');
  const at = lines.map((line, i) => (line.trim() === PRIVATE_KEY_PLACEHOLDER ? i : -1)).filter((i) => i >= 0);
  const keyLines = lines.filter((line) => /^\s*PrivateKey\s*=/.test(line));
  if (at.length !== 1 || keyLines.length !== 1) {
    throw new Error('the config has no single private-key placeholder');
  }
  lines[at[0]] = `PrivateKey = ${privateKey}`;
  return lines.join('\n');
}
