import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { DATABASE_URL } from './prisma.service';

/** One counter: a key (limit name + subject) and its allowance per window. */
export interface Bucket {
  readonly key: string;
  readonly limit: number;
  /** Which limit, for the problem body (e.g. "enroll-per-address"). */
  readonly name: string;
}

/** A refused request: which bucket is spent and when its window ends. */
export interface Refusal {
  readonly bucket: Bucket;
  readonly retryAfter: number;
}

const WINDOW_SECONDS = 60;
const POOL_SIZE = 4;

/**
 * Fixed-window rate limits (one minute, by the database's clock) whose counters live in
 * Postgres (rate_limit_bucket), so every replica counts against the same limit. One statement
 * per request counts all of its buckets and reads the buckets it only checks. Keys are sorted
 * so concurrent statements lock rows in one order (no deadlocks). If the database cannot be
 * reached the limiter lets the request through (it fails on its own, with its own error).
 *
 * It talks to Postgres through a small pg pool of its own (POOL_SIZE connections per process)
 * rather than Prisma: the counter statement runs on every /v1 request, and a bare pg query
 * costs a fraction of the CPU of a Prisma raw query on the request path.
 */
@Injectable()
export class RateLimitStore implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('RateLimit');
  private pruneTimer: NodeJS.Timeout | null = null;
  private readonly pool: Pool;
  private readonly exempt = new Set<string>();

  constructor(@Inject(DATABASE_URL) url: string) {
    // Short timeouts: in an outage the limiter gives up quickly and lets the request meet the outage itself.
    this.pool = new Pool({ connectionString: url, max: POOL_SIZE, connectionTimeoutMillis: 2000, query_timeout: 2000 });
    // An idle connection that dies (database restart) must not crash the process.
    this.pool.on('error', (error) => this.logger.warn({ msg: 'rate limit connection lost', err: error.message }));
  }

  onModuleInit(): void {
    this.pruneTimer = setInterval(() => void this.prune(), WINDOW_SECONDS * 1000);
    this.pruneTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.pruneTimer) {
      clearInterval(this.pruneTimer);
    }
    await this.pool.end();
  }

  /**
   * Counts one hit on each of `hit` and reads each of `check`; gives back the bucket that
   * refuses the request (a hit bucket over its limit or a checked one at it) with the seconds
   * until its window ends, or null when the request may pass.
   */
  async take(hit: readonly Bucket[], check: readonly Bucket[] = []): Promise<Refusal | null> {
    const hits = dedupe(hit.filter((b) => b.limit > 0));
    const checks = dedupe(check.filter((b) => b.limit > 0));
    if (hits.length === 0 && checks.length === 0) {
      return null;
    }
    let rows: { key: string; count: number; retry: number; counted: boolean }[];
    try {
      ({ rows } = await this.pool.query(
        `WITH w AS (SELECT to_timestamp(floor(extract(epoch FROM now()) / ${WINDOW_SECONDS}) * ${WINDOW_SECONDS}) AS start),
         up AS (
           INSERT INTO rate_limit_bucket (key, window_start, count)
           SELECT k, w.start, 1 FROM unnest($1::text[]) WITH ORDINALITY AS t(k, i), w ORDER BY i
           ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_bucket.count + 1
           RETURNING key, count, true AS counted
         ),
         chk AS (
           SELECT b.key, b.count, false AS counted FROM rate_limit_bucket b, w
           WHERE b.key = ANY($2::text[]) AND b.window_start = w.start
         )
         SELECT r.key, r.count, r.counted,
           greatest(1, ceil(extract(epoch FROM (SELECT start FROM w) + interval '${WINDOW_SECONDS} seconds' - now())))::int AS retry
         FROM (SELECT * FROM up UNION ALL SELECT * FROM chk) r`,
        [hits.map((b) => b.key), checks.map((b) => b.key)],
      ));
    } catch (error) {
      this.logger.warn({ msg: 'rate limit not counted: database error', err: (error as Error).message });
      return null;
    }
    const limits = new Map([...hits, ...checks].map((b) => [b.key, b]));
    for (const row of rows) {
      const bucket = limits.get(row.key)!;
      if (row.counted ? row.count > bucket.limit : row.count >= bucket.limit) {
        return { bucket, retryAfter: row.retry };
      }
    }
    return null;
  }

  /**
   * Exempts a credential subject (its hash, see credentialSubject) from every limit in this
   * process: the embedded hub agent's token, which exists only in this process's memory.
   */
  exemptSubject(subject: string): void {
    this.exempt.add(subject);
  }

  isExempt(subject: string | null): boolean {
    return subject !== null && this.exempt.has(subject);
  }

  /** Drops finished windows; every replica does it, which is harmless. */
  async prune(): Promise<number> {
    try {
      const result = await this.pool.query(
        `DELETE FROM rate_limit_bucket WHERE window_start < now() - interval '${2 * WINDOW_SECONDS} seconds'`,
      );
      return result.rowCount ?? 0;
    } catch {
      return 0;
    }
  }
}

function dedupe(buckets: readonly Bucket[]): Bucket[] {
  const byKey = new Map<string, Bucket>();
  for (const b of buckets) {
    byKey.set(b.key, b);
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
