import { DomainError } from '../errors/domain-error';

/**
 * Fixed-window counters per key (client address, or address + purpose), in process memory.
 * Each replica limits on its own; issue #5 moves the counters to Postgres for a shared limit.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
  ) {}

  get enabled(): boolean {
    return this.limit > 0;
  }

  /** Counts one hit; throws 429 rate-limited with Retry-After once the key is over the limit. */
  hit(key: string, now = Date.now()): void {
    if (!this.enabled) {
      return;
    }
    const window = this.current(key, now);
    window.count++;
    if (window.count > this.limit) {
      throw RateLimiter.problem(window.start + this.windowMs - now);
    }
  }

  /** Throws if the key is already over the limit, without counting. */
  check(key: string, now = Date.now()): void {
    if (!this.enabled) {
      return;
    }
    const window = this.current(key, now);
    if (window.count >= this.limit) {
      throw RateLimiter.problem(window.start + this.windowMs - now);
    }
  }

  private current(key: string, now: number): { start: number; count: number } {
    let window = this.windows.get(key);
    if (window === undefined || now - window.start >= this.windowMs) {
      if (this.windows.size > 50_000) {
        this.prune(now);
      }
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    return window;
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.start >= this.windowMs) {
        this.windows.delete(key);
      }
    }
  }

  static problem(retryMs: number): DomainError {
    const retryAfter = Math.max(1, Math.ceil(retryMs / 1000));
    return new DomainError(429, 'rate-limited', 'Too many requests', `Try again in ${retryAfter} s.`, { retryAfter });
  }
}
