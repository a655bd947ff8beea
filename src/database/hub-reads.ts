import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Pool, type PoolClient } from 'pg';
import { DATABASE_URL } from './prisma.service';

const POOL_SIZE = 2;

type Query = <R extends object>(sql: string, values: unknown[]) => Promise<R[]>;

/**
 * Connections reserved for the hub's desired-state reads (a small pg pool of their own, not
 * Prisma's): under a burst of enrollments every connection of the shared pool is busy with an
 * enrollment transaction, and the agent's fetch of the new state would queue behind all of
 * them, so the hub would get the burst's peers only after the burst. Snapshots, and the revision
 * stamps (short transactions that take only the network's row lock).
 */
@Injectable()
export class HubReads implements OnModuleDestroy {
  private readonly logger = new Logger('HubReads');
  private readonly pool: Pool;

  constructor(@Inject(DATABASE_URL) url: string) {
    this.pool = new Pool({ connectionString: url, max: POOL_SIZE, connectionTimeoutMillis: 10_000 });
    // An idle connection that dies (database restart) must not crash the process.
    this.pool.on('error', (error) => this.logger.warn({ msg: 'hub read connection lost', err: error.message }));
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }

  /** One statement, outside a transaction. */
  async query<R extends object>(sql: string, values: unknown[]): Promise<R[]> {
    return (await this.pool.query<R>(sql, values)).rows;
  }

  /** `work` in one READ COMMITTED transaction (each statement sees what committed before it). */
  async transaction<T>(work: (query: Query) => Promise<T>): Promise<T> {
    const client: PoolClient = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(
        async <R extends object>(sql: string, values: unknown[]) => (await client.query<R>(sql, values)).rows,
      );
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
