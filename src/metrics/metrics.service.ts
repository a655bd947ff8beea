import { Injectable } from '@nestjs/common';
import cluster from 'node:cluster';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { poolSize } from '../domain/ipam/cidr';
import { IpamRepository } from '../ipam/ipam.repository';
import { MetricsRepository } from './metrics.repository';

/** Database-derived gauges are read at most once a second per process, however often it is scraped. */
const DB_GAUGE_TTL_MS = 1000;

/**
 * Prometheus metrics (prom-client), one registry per application instance.
 *
 * - Counters and the latency histogram are this process's own: Prometheus scrapes each replica
 *   and sum() adds them up.
 * - Pool, hub and peer gauges are read from the database at scrape time (one query, cached for
 *   1 s), so every replica reports the same, current numbers: aggregate them with max(), not sum().
 * - Latency is labelled by the route template (/v1/claims/:claimToken), never the raw path, so
 *   no claim token or id reaches a label.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly enrollments: Counter<'network' | 'delivery'>;
  private readonly claims: Counter<'result'>;
  private readonly rateLimited: Counter<'limit'>;
  private readonly gauges: Record<
    'size' | 'leased' | 'free' | 'cooling' | 'lag' | 'desired' | 'applied' | 'agentAge' | 'flagged' | 'peers',
    Gauge<string>
  >;
  private refreshed = 0;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly repository: MetricsRepository,
    private readonly ipam: IpamRepository,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'wg_enroll_' });
    this.httpDuration = new Histogram({
      name: 'wg_enroll_http_request_duration_seconds',
      help: 'HTTP request latency by route template (long-polls included: up to 60 s)',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.enrollments = new Counter({
      name: 'wg_enroll_enrollments_total',
      help: 'Peers enrolled by this process',
      labelNames: ['network', 'delivery'],
      registers,
    });
    this.claims = new Counter({
      name: 'wg_enroll_claims_total',
      help: 'Claim redemptions by this process: result="served", or the refusal code (config-already-served, claim-expired, peer-revoked, claim-not-found)',
      labelNames: ['result'],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'wg_enroll_rate_limited_total',
      help: 'Requests refused with 429 by this process, by limit',
      labelNames: ['limit'],
      registers,
    });
    // Which process answered the scrape: with WEB_CONCURRENCY > 1 the port is served by several
    // worker processes and each scrape reaches one of them (its own counters).
    new Gauge({
      name: 'wg_enroll_process_info',
      help: 'The process that answered: its pid, and its cluster worker id (0: a single process)',
      labelNames: ['pid', 'worker'],
      registers,
    }).set({ pid: String(process.pid), worker: String(cluster.worker?.id ?? 0) }, 1);
    const gauge = (name: string, help: string, labelNames: string[] = ['network']) =>
      new Gauge({ name, help, labelNames, registers });
    this.gauges = {
      size: gauge('wg_enroll_pool_size', 'Leasable IPv4 addresses of the network (database)'),
      leased: gauge('wg_enroll_pool_leased', 'Addresses held by pending or active peers (database)'),
      free: gauge('wg_enroll_pool_free', 'Addresses free to lease now (database)'),
      cooling: gauge('wg_enroll_pool_cooling', 'Released addresses still cooling down (database)'),
      desired: gauge('wg_enroll_hub_desired_revision', 'Desired-state revision of the network (database)'),
      applied: gauge('wg_enroll_hub_applied_revision', 'Revision the hub agent last reported applied (database)'),
      lag: gauge(
        'wg_enroll_hub_revision_lag',
        'Desired minus applied revision (the whole desired revision while nothing was applied; database)',
      ),
      agentAge: gauge(
        'wg_enroll_agent_last_seen_age_seconds',
        'Seconds since the hub agent last reported (+Inf: never; database)',
      ),
      flagged: gauge('wg_enroll_peers_flagged', 'Active peers flagged as one config on two machines (database)'),
      peers: gauge('wg_enroll_peers', 'Peers by status (database)', ['network', 'status']),
    };
  }

  /** Observes every request's latency under its route template. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const end = this.httpDuration.startTimer();
      res.on('finish', () => {
        const route = (req.route as { path?: unknown } | undefined)?.path;
        end({
          method: req.method,
          route: typeof route === 'string' ? `${req.baseUrl ?? ''}${route}` : '(unmatched)',
          status: String(res.statusCode),
        });
      });
      next();
    };
  }

  enrolled(network: string, delivery: string): void {
    this.enrollments.inc({ network, delivery });
  }

  claim(result: string): void {
    this.claims.inc({ result });
  }

  limited(limit: string): void {
    this.rateLimited.inc({ limit });
  }

  /** The Prometheus text exposition, with the database gauges fresh (≤ 1 s old). */
  async render(): Promise<string> {
    await this.refresh();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private async refresh(): Promise<void> {
    if (Date.now() - this.refreshed < DB_GAUGE_TTL_MS) {
      return;
    }
    // One query at a time, however many scrapes arrive together.
    this.refreshing ??= this.readDatabase().finally(() => {
      this.refreshing = null;
    });
    await this.refreshing;
  }

  private async readDatabase(): Promise<void> {
    const [rows, pools] = await Promise.all([this.repository.networks(), this.ipam.usageOfAll()]);
    const poolOf = new Map(pools.map((p) => [p.networkId, p]));
    for (const g of Object.values(this.gauges)) {
      g.reset();
    }
    for (const r of rows) {
      const network = r.name;
      const desired = Number(r.revision);
      const applied = r.applied_revision === null ? null : Number(r.applied_revision);
      const pool = poolOf.get(r.id) ?? { leased: 0, free: 0, cooling: 0 };
      this.gauges.size.set({ network }, poolSize(r.ipv4_cidr));
      this.gauges.leased.set({ network }, pool.leased);
      this.gauges.free.set({ network }, pool.free);
      this.gauges.cooling.set({ network }, pool.cooling);
      this.gauges.desired.set({ network }, desired);
      if (applied !== null) {
        this.gauges.applied.set({ network }, applied);
      }
      this.gauges.lag.set({ network }, desired - (applied ?? 0));
      this.gauges.agentAge.set({ network }, r.agent_age === null ? Infinity : Math.max(0, r.agent_age));
      this.gauges.flagged.set({ network }, r.flagged);
      this.gauges.peers.set({ network, status: 'pending' }, r.pending);
      this.gauges.peers.set({ network, status: 'active' }, r.active);
    }
    this.refreshed = Date.now();
  }
}
