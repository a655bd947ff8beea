import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { DatabaseError, Pool } from 'pg';
import { Prisma, PrismaClient } from '../generated/prisma/client';

export const DATABASE_URL = Symbol('DATABASE_URL');
export const DATABASE_POOL_SIZE = Symbol('DATABASE_POOL_SIZE');

export type Tx = Prisma.TransactionClient;

/** The NOTIFY channel on which a network's revision change is announced (payload: the network id). */
export const REVISION_CHANNEL = 'wg_enroll_revision';

/**
 * How long a request waits for a database connection (a new one, or a free one of the pool
 * under load) or to start a transaction before it answers 503. With Postgres down, connecting
 * is refused at once; the bound matters for a database that does not answer at all. Prisma's
 * wait to start a transaction (default 2 s) gets the same bound.
 */
export const CONNECT_TIMEOUT_MS = 3000;

/**
 * The only Prisma client of the process. Repositories use it; services never see it.
 *
 * Its connections are one pg pool, also open to repositories as `pool` for the few hot paths
 * where Prisma's per-query cost shows in the CPU profile (the enrollment: one statement through
 * pg instead of an interactive transaction of six). Both share the one bound on connections.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  readonly pool: Pool;

  constructor(@Inject(DATABASE_URL) url: string, @Inject(DATABASE_POOL_SIZE) poolSize: number) {
    const pool = new Pool({
      connectionString: url,
      max: poolSize,
      // Bounded: with the database away, a request waits at most this long for a connection
      // (a new one or a free one from the pool) and then fails as 503 database-unavailable.
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
    });
    super({
      adapter: new PrismaPg(pool, { disposeExternalPool: true }),
      transactionOptions: { maxWait: CONNECT_TIMEOUT_MS, timeout: 15_000 },
    });
    this.pool = pool;
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}

/** Postgres' unique_violation. */
export const UNIQUE_VIOLATION = '23505';

/** The Postgres error code behind a Prisma error (raw queries wrap it) or a pg error, if any. */
export function postgresErrorCode(error: unknown): string | undefined {
  if (error instanceof DatabaseError) {
    return error.code;
  }
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) {
    return undefined;
  }
  if (error.code === 'P2002') {
    return UNIQUE_VIOLATION;
  }
  const meta = error.meta as { code?: string; driverAdapterError?: { cause?: { originalCode?: string } } } | undefined;
  return meta?.code ?? meta?.driverAdapterError?.cause?.originalCode;
}

/** The name of the violated unique constraint/index, when Postgres says which. */
export function violatedConstraint(error: unknown): string {
  if (error instanceof DatabaseError && error.constraint !== undefined) {
    return error.constraint;
  }
  const text = `${(error as Error)?.message ?? ''} ${JSON.stringify((error as { meta?: unknown })?.meta ?? {})}`;
  const match = /(peer_live_\w+|lease_open_host_key|network_name_key|wg_key_\w+|\w+_key)/.exec(text);
  return match ? match[1] : '';
}
