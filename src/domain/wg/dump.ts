/** `wg show <interface> dump`, parsed. Pure. */
export interface WgInterfaceDump {
  readonly publicKey: string;
  readonly listenPort: number;
}

export interface WgPeerDump {
  readonly publicKey: string;
  readonly presharedKey: string | null;
  readonly endpoint: string | null;
  readonly allowedIps: readonly string[];
  /** Unix seconds; 0 when there has been no handshake. */
  readonly latestHandshake: number;
  readonly rxBytes: number;
  readonly txBytes: number;
}

export interface WgDump {
  readonly interface: WgInterfaceDump;
  readonly peers: readonly WgPeerDump[];
}

export function parseWgDump(text: string): WgDump {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) {
    throw new Error('empty wg dump');
  }
  const head = lines[0].split('\t');
  if (head.length < 4) {
    throw new Error('unexpected wg dump interface line');
  }
  const peers = lines.slice(1).map((line) => {
    const f = line.split('\t');
    if (f.length < 8) {
      throw new Error('unexpected wg dump peer line');
    }
    return {
      publicKey: f[0],
      presharedKey: f[1] === '(none)' ? null : f[1],
      endpoint: f[2] === '(none)' ? null : f[2],
      allowedIps: f[3] === '(none)' ? [] : f[3].split(','),
      latestHandshake: Number(f[4]),
      rxBytes: Number(f[5]),
      txBytes: Number(f[6]),
    };
  });
  return { interface: { publicKey: head[1], listenPort: Number(head[2]) }, peers };
}

/** `wg show <interface> endpoints`, parsed: public key → endpoint (peers without one left out). Pure. */
export function parseWgEndpoints(text: string): Map<string, string> {
  const endpoints = new Map<string, string>();
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) {
      end = text.length;
    }
    const tab = text.indexOf('\t', start);
    if (tab > start && tab < end) {
      const endpoint = text.slice(tab + 1, end).trim();
      if (endpoint !== '' && endpoint !== '(none)') {
        endpoints.set(text.slice(start, tab), endpoint);
      }
    }
    start = end + 1;
  }
  return endpoints;
}
