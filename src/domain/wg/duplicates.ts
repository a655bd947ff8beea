/**
 * One config on two machines: the hub sees one public key arriving alternately from two source
 * addresses, because WireGuard roams the endpoint to whichever machine sent last. Pure.
 *
 * The history keeps the endpoint changes (host only: a NAT may change the port of one machine)
 * seen within the window. A key is flagged when, within the window, its source host changed at
 * least `minSwitches` times and went back to a host it had used before (A → B → A), which one
 * machine moving networks (A → B) does not do.
 */
export interface EndpointChange {
  readonly at: number; // unix ms
  readonly host: string;
}

export interface DuplicateVerdict {
  readonly history: EndpointChange[];
  readonly flagged: boolean;
  readonly hosts: string[];
}

export function endpointHost(endpoint: string): string {
  const bracket = /^\[([^\]]+)\]:\d+$/.exec(endpoint);
  if (bracket) {
    return bracket[1];
  }
  const i = endpoint.lastIndexOf(':');
  return i > 0 ? endpoint.slice(0, i) : endpoint;
}

export function observeEndpoint(
  history: readonly EndpointChange[],
  endpoint: string,
  at: number,
  windowMs: number,
  minSwitches = 3,
): DuplicateVerdict {
  const host = endpointHost(endpoint);
  const recent = history.filter((change) => at - change.at <= windowMs);
  const latest = history[history.length - 1];
  // The latest change is kept even when older than the window: it is where the key is now.
  let kept = recent.length > 0 ? recent : latest ? [latest] : [];
  if (kept[kept.length - 1]?.host !== host) {
    kept = [...kept, { at, host }].slice(-16);
  }
  const switches = kept.length - 1;
  let returned = false;
  for (let i = 2; i < kept.length && !returned; i++) {
    returned = kept.slice(0, i - 1).some((change) => change.host === kept[i].host);
  }
  return { history: kept, flagged: switches >= minSwitches && returned, hosts: [...new Set(kept.map((c) => c.host))] };
}

/** "Within a few keepalive intervals": four, and at least two minutes. */
export function duplicateWindowMs(persistentKeepaliveS: number): number {
  return Math.max(120_000, 4 * persistentKeepaliveS * 1000);
}

export interface SuspectedDuplicate {
  readonly publicKey: string;
  readonly hosts: string[];
}

/**
 * The same rule applied to what an interface shows, sampled often (the hub agent reads
 * `wg show <if> endpoints` every second): a report every few seconds aliases the flips of a key
 * that alternates between two machines, a local sample each second sees them. Keys whose host
 * never changed cost one string each; a key gets a history at its first change. Keys that are
 * no longer on the interface are forgotten.
 */
export class EndpointFlapDetector {
  /** The host a key was first seen from, or its history once it changed. */
  private readonly seen = new Map<string, string | EndpointChange[]>();
  /** Keys already found, so each is returned once while it stays flagged. */
  private readonly found = new Set<string>();

  /** Takes one sample (public key → endpoint); returns the keys flagged by it. */
  observe(endpoints: ReadonlyMap<string, string>, at: number, windowMs: number): SuspectedDuplicate[] {
    for (const key of this.seen.keys()) {
      if (!endpoints.has(key)) {
        this.seen.delete(key);
        this.found.delete(key);
      }
    }
    const flagged: SuspectedDuplicate[] = [];
    for (const [key, endpoint] of endpoints) {
      const before = this.seen.get(key);
      if (before === undefined) {
        this.seen.set(key, endpointHost(endpoint));
        continue;
      }
      if (typeof before === 'string') {
        const host = endpointHost(endpoint);
        if (host !== before) {
          // The first change: from the host it was seen from until now.
          this.seen.set(key, observeEndpoint([{ at, host: before }], endpoint, at, windowMs).history);
        }
        continue;
      }
      const verdict = observeEndpoint(before, endpoint, at, windowMs);
      this.seen.set(key, verdict.history);
      if (verdict.flagged && !this.found.has(key)) {
        this.found.add(key);
        flagged.push({ publicKey: key, hosts: verdict.hosts });
      } else if (!verdict.flagged) {
        this.found.delete(key);
      }
    }
    return flagged;
  }
}
