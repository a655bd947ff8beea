import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HubReads } from './hub-reads';

/** How often the backstop looks for changes nobody stamped (any other path, a crash after commit). */
export const BACKSTOP_INTERVAL_MS = 1000;

interface Flight {
  running: Promise<bigint | null>;
  /** The stamp queued behind the running one, shared by every caller that came meanwhile. */
  queued: Promise<bigint | null> | null;
}

/**
 * Stamps the revisions of this process's changes. The process that committed a change of the
 * desired state calls stamp() right after its commit; calls for one network are single-flight:
 * while a stamp runs, every new call shares one stamp queued behind it, which starts after all of
 * their commits (so it covers them), and a burst of commits costs one stamp per round trip. A
 * backstop every second stamps what any other path left unstamped.
 */
@Injectable()
export class RevisionTicker implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('RevisionTicker');
  private readonly flights = new Map<string, Flight>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;
  private failing = false;

  constructor(private readonly reads: HubReads) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.backstop(), BACKSTOP_INTERVAL_MS);
    this.timer.unref();
  }

  /** Before the hub's connections close. */
  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /**
   * A stamp of the network that starts after this call: resolves with the network's revision
   * after it (every change committed before the call has a revision at or below it), null when
   * the network does not exist.
   */
  stamp(networkId: string): Promise<bigint | null> {
    const flight = this.flights.get(networkId);
    if (flight === undefined) {
      const running = this.run(networkId);
      this.flights.set(networkId, { running, queued: null });
      return running;
    }
    flight.queued ??= flight.running.then(
      () => this.followUp(networkId, flight),
      () => this.followUp(networkId, flight),
    );
    return flight.queued;
  }

  /** A stamp nobody waits for (its failure is logged; the backstop stamps later). */
  poke(networkId: string): void {
    void this.settle(networkId);
  }

  private followUp(networkId: string, flight: Flight): Promise<bigint | null> {
    const running = this.run(networkId);
    flight.running = running;
    flight.queued = null;
    return running;
  }

  private run(networkId: string): Promise<bigint | null> {
    const running = this.stampOnce(networkId);
    const done = () => {
      const flight = this.flights.get(networkId);
      if (flight !== undefined && flight.running === running && flight.queued === null) {
        this.flights.delete(networkId);
      }
    };
    running.then(done, done);
    return running;
  }

  /**
   * Stamps the network's unstamped changes with the next revision (one statement, see the
   * migration's stamp_network_revision) and returns the network's revision after it; null when
   * the network does not exist. Without an unstamped change it only reads.
   */
  private async stampOnce(networkId: string): Promise<bigint | null> {
    const rows = await this.reads.query<{ revision: string | null }>(
      'SELECT stamp_network_revision($1::uuid)::text AS revision',
      [networkId],
    );
    const revision = rows[0]?.revision;
    return revision === undefined || revision === null ? null : BigInt(revision);
  }

  /** A stamp that starts after this call, awaited; a failure is logged (the backstop stamps later). */
  async settle(networkId: string): Promise<void> {
    await this.stamp(networkId).catch((error: Error) =>
      this.logger.warn({ msg: 'revision stamp failed', network: networkId, err: error.message }),
    );
  }

  /** Stamps every network with an unstamped change now (the backstop's round; never throws). */
  stampAll(): Promise<void> {
    return this.backstop();
  }

  private async backstop(): Promise<void> {
    if (this.sweeping) {
      return;
    }
    this.sweeping = true;
    try {
      // The partial index on unstamped peers: empty almost always.
      const unstamped = await this.reads.query<{ network_id: string }>(
        'SELECT DISTINCT network_id::text FROM peer WHERE revision IS NULL',
        [],
      );
      for (const { network_id: networkId } of unstamped) {
        await this.stamp(networkId);
      }
      this.failing = false;
    } catch (error) {
      // Once per outage, not every second while the database is away.
      if (!this.failing) {
        this.logger.warn({ msg: 'revision backstop failed', err: (error as Error).message });
      }
      this.failing = true;
    } finally {
      this.sweeping = false;
    }
  }
}
