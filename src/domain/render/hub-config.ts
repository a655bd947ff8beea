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

export type HubConfigForm = 'wg-quick' | 'wg';

/** Peers per chunk: chunks of about 60 KB, so a big file is never one string in memory. */
const PEERS_PER_CHUNK = 256;

/**
 * The hub config as chunks of text, in one of two forms:
 * - 'wg-quick': the hub file (for people and `wg-quick up`);
 * - 'wg': the same config without wg-quick's own keys (Address), byte for byte what
 *   `wg-quick strip <file>` prints for the 'wg-quick' form (its closing `echo` adds one
 *   newline): the text `wg syncconf` / `wg setconf` take. Rendering it here spares running that
 *   bash script, which reads the file line by line (about 5 s at 10k peers).
 */
export function* hubConfigChunks(input: HubConfigInput, form: HubConfigForm): Generator<string> {
  yield (
    `# Written by the wg-enroll hub agent for network "${commentSafe(input.network)}", revision ${input.revision}.\n` +
    '# Do not edit: the next change of the desired state replaces this file.\n' +
    `[Interface]\nPrivateKey = ${input.privateKey}\n` +
    (form === 'wg-quick' ? `Address = ${input.addresses.join(', ')}\n` : '') +
    `ListenPort = ${input.listenPort}\n`
  );
  let chunk = '';
  let inChunk = 0;
  for (const peer of input.peers) {
    chunk +=
      `\n# ${commentSafe(peer.name)}\n[Peer]\nPublicKey = ${peer.publicKey}\nPresharedKey = ${peer.presharedKey}\n` +
      `AllowedIPs = ${peer.allowedIps.join(', ')}\n`;
    if (++inChunk === PEERS_PER_CHUNK) {
      yield chunk;
      chunk = '';
      inChunk = 0;
    }
  }
  yield form === 'wg' ? `${chunk}\n` : chunk;
}

export interface HubConfigTexts {
  readonly wgQuick: string;
  readonly wg: string;
}

/** Both forms as whole strings (see hubConfigChunks). */
export function renderHubConfigs(input: HubConfigInput): HubConfigTexts {
  return { wgQuick: [...hubConfigChunks(input, 'wg-quick')].join(''), wg: [...hubConfigChunks(input, 'wg')].join('') };
}

/** The hub file (the 'wg-quick' form) as one string: what the agent writes, without the 'wg' form. */
export function renderHubConfig(input: HubConfigInput): string {
  return [...hubConfigChunks(input, 'wg-quick')].join('');
}
