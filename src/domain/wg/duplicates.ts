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
