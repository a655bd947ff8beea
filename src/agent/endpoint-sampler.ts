import { duplicateWindowMs, EndpointFlapDetector } from '../domain/wg/duplicates';
import type { Wg } from './wg';

/**
 * How often the interface's endpoints are read for one config on two machines: every 200 ms, or
 * ten times as long as the last read took (a big interface is read less often, so sampling never
 * takes more than a tenth of the time). Two machines' keepalives can arrive a second apart, so
 * the key sits at the second machine's address for a second only: a sample each second misses it.
 */
export const ENDPOINT_SAMPLE_MIN_MS = 200;
const ENDPOINT_SAMPLE_COST_FACTOR = 10;

/**
 * The hub agent's watch for one config on two machines: samples the interface's endpoints (see
 * ENDPOINT_SAMPLE_MIN_MS), keeps the keys found alternating between machines until a status
 * report has carried them, and asks for a report at once when it finds one (a report every 10 s
 * aliases flips that come every few seconds).
 */
export class EndpointSampler {
  private timer: NodeJS.Timeout | null = null;
  private readonly flaps = new EndpointFlapDetector();
  /** Keys found alternating between machines, with their hosts, until a report has carried them. */
  private readonly suspected = new Map<string, string[]>();
  private windowMs = duplicateWindowMs(0);

  constructor(
    private readonly wg: Wg,
    private readonly iface: string,
    private readonly logger: { warn(message: unknown): void },
    private readonly signal: AbortSignal,
    private readonly hooks: {
      /** Whether a config is on the interface yet (nothing to sample before the first apply). */
      readonly applied: () => boolean;
      /** Sends a status report (called when a sample found a key on two machines). */
      readonly report: () => Promise<void>;
    },
  ) {}

  start(): void {
    this.schedule(ENDPOINT_SAMPLE_MIN_MS);
  }

  stop(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
  }

  /** The network's keepalive sets how long an alternation counts (see duplicateWindowMs). */
  keepalive(persistentKeepalive: number): void {
    this.windowMs = duplicateWindowMs(persistentKeepalive);
  }

  /** The keys suspected so far, with their hosts: what the next report carries. */
  pending(): Map<string, string[]> {
    return new Map(this.suspected);
  }

  /** A report carried `sent` (or the key has left the interface): the server keeps the flag from here. */
  carried(sent: ReadonlyMap<string, string[]>): void {
    for (const [key, hosts] of sent) {
      if (this.suspected.get(key) === hosts) {
        this.suspected.delete(key);
      }
    }
  }

  private schedule(delayMs: number): void {
    if (this.signal.aborted) {
      return;
    }
    this.timer = setTimeout(() => {
      void this.sample().then((readMs) =>
        this.schedule(Math.max(ENDPOINT_SAMPLE_MIN_MS, ENDPOINT_SAMPLE_COST_FACTOR * readMs)),
      );
    }, delayMs);
    this.timer.unref?.();
  }

  /**
   * One sample of the interface's endpoints; a key seen alternating between two machines is
   * reported at once. Resolves with how long the read took (`wg show endpoints` only: the report
   * a find sends is not the sampling's cost, so it does not stretch the interval).
   */
  private async sample(): Promise<number> {
    if (!this.hooks.applied() || this.signal.aborted) {
      return 0;
    }
    const began = performance.now();
    let readMs = 0;
    try {
      const endpoints = await this.wg.endpoints(this.iface);
      readMs = performance.now() - began;
      const found = this.flaps.observe(endpoints, Date.now(), this.windowMs);
      for (const { publicKey, hosts } of found) {
        this.suspected.set(publicKey, hosts);
        this.logger.warn({ msg: 'one peer key alternates between machines', publicKey, hosts });
      }
      if (found.length > 0) {
        await this.hooks.report();
      }
    } catch {
      // The interface is away for a moment (or the report failed): the next sample tries again.
      readMs ||= performance.now() - began;
    }
    return readMs;
  }
}
