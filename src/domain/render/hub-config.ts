/** The hub's wg-quick file, and the same config as wg(8) takes it. Pure: rows in, text out. */
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

export interface HubConfigTexts {
  /** The hub file in wg-quick format (for people and `wg-quick up`). */
  readonly wgQuick: string;
  /**
   * The same config without wg-quick's own keys (Address), byte for byte what
   * `wg-quick strip <file>` prints for `wgQuick` (its closing `echo` adds one newline): the text
   * `wg syncconf` / `wg setconf` take. Rendering it here spares running that bash script, which
   * reads the file line by line (about 5 s at 10k peers).
   */
  readonly wg: string;
}

/** Both forms from one pass over the peers (the two texts share the peers' part). */
export function renderHubConfigs(input: HubConfigInput): HubConfigTexts {
  const comments =
    `# Written by the wg-enroll hub agent for network "${commentSafe(input.network)}", revision ${input.revision}.\n` +
    '# Do not edit: the next change of the desired state replaces this file.\n';
  const privateKey = `[Interface]\nPrivateKey = ${input.privateKey}\n`;
  const address = `Address = ${input.addresses.join(', ')}\n`;
  const listenPort = `ListenPort = ${input.listenPort}\n`;
  // One string per peer (10,000s of peers: no per-line array).
  const parts: string[] = [];
  for (const peer of input.peers) {
    parts.push(
      `\n# ${commentSafe(peer.name)}\n[Peer]\nPublicKey = ${peer.publicKey}\nPresharedKey = ${peer.presharedKey}\n` +
        `AllowedIPs = ${peer.allowedIps.join(', ')}\n`,
    );
  }
  const peers = parts.join('');
  return {
    wgQuick: comments + privateKey + address + listenPort + peers,
    wg: `${comments + privateKey + listenPort + peers}\n`,
  };
}

export function renderHubConfig(input: HubConfigInput): string {
  return renderHubConfigs(input).wgQuick;
}
