/** The hub's wg-quick file. Pure: rows in, text out. */
export interface HubPeerInput {
  readonly name: string;
  readonly publicKey: string;
  readonly presharedKey: string;
  readonly allowedIps: readonly string[];
}

export interface HubConfigInput {
  readonly privateKey: string;
  readonly addresses: readonly string[];
  readonly listenPort: number;
  readonly network: string;
  readonly revision: string;
  readonly peers: readonly HubPeerInput[];
}

/** Printable ASCII, no leading/trailing space, no double space: already comment-safe as is. */
const PLAIN = /^[\x21-\x7e](?:[\x21-\x7e]| (?=[\x21-\x7e]))*$/;

/** A peer name as a one-line comment: printable characters only, bounded length. */
export function commentSafe(text: string): string {
  if (text.length <= 64 && PLAIN.test(text)) {
    // The common case (names are validated on enrollment), without three passes over it.
    return text;
  }
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 64) || '(unnamed)'
  );
}

export function renderHubConfig(input: HubConfigInput): string {
  const lines = [
    `# Written by the wg-enroll hub agent for network "${commentSafe(input.network)}", revision ${input.revision}.`,
    '# Do not edit: the next change of the desired state replaces this file.',
    '[Interface]',
    `PrivateKey = ${input.privateKey}`,
    `Address = ${input.addresses.join(', ')}`,
    `ListenPort = ${input.listenPort}`,
  ];
  const parts = [`${lines.join('\n')}\n`];
  // One string per peer (10,000s of peers: no per-line array).
  for (const peer of input.peers) {
    parts.push(
      `\n# ${commentSafe(peer.name)}\n[Peer]\nPublicKey = ${peer.publicKey}\nPresharedKey = ${peer.presharedKey}\n` +
        `AllowedIPs = ${peer.allowedIps.join(', ')}\n`,
    );
  }
  return parts.join('');
}
