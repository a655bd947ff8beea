import type { EnrollResponse } from '../peers/peers.dto';

/** Idempotency keys live this long (then the same key makes a new peer). */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** A retry of an enrollment whose peer is still waiting for its claim: the peer, no secret. */
export class Replayed {
  constructor(readonly body: EnrollResponse) {}
}

/** JSON with object keys sorted, so equal requests hash equally. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
