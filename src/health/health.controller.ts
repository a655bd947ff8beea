import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { z } from 'zod';
import { Public } from '../auth/auth.decorators';
import { DomainError } from '../common/errors/domain-error';
import { ApiOp } from '../common/http/openapi.decorators';
import { embeddedDatabaseLost } from '../database/embedded-postgres';
import { pendingMigrations } from '../database/migrate';
import { PrismaService } from '../database/prisma.service';

const Health = z.object({ status: z.literal('ok') });
const Ready = z.object({ status: z.literal('ready'), database: z.literal('up'), migrations: z.literal('current') });

/** A readiness probe must answer even when the database hangs. */
const CHECK_TIMEOUT_MS = 3000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Liveness and readiness, run by @nestjs/terminus. /readyz checks that the database answers and
 * that every migration folder this build ships is applied (_prisma_migrations). Not ready is a
 * 503 problem+json like every other error: `database-unavailable` or `migrations-pending`, with
 * terminus' per-check details in `checks` (pending migration names included).
 */
@ApiTags('ops')
@Controller()
export class HealthController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly terminus: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  @Get('healthz')
  @Public()
  @ApiOp({
    summary: 'Liveness: the process answers (no database access)',
    description:
      'Not live: 503 problem+json `database-lost` when the embedded Postgres of this process died (the process is exiting).',
    auth: false,
    rateLimited: false,
    ok: { status: 200, schema: Health },
    problems: [503],
  })
  health() {
    if (embeddedDatabaseLost.reason !== null) {
      throw new DomainError(
        503,
        'database-lost',
        'The embedded database of this process is gone',
        embeddedDatabaseLost.reason,
      );
    }
    return { status: 'ok' as const };
  }

  @Get('readyz')
  @Public()
  @ApiOp({
    summary: 'Readiness: database reachable and migrations current',
    description:
      'Not ready: 503 problem+json with code `database-unavailable` or `migrations-pending` and the per-check results in `checks`.',
    auth: false,
    rateLimited: false,
    ok: { status: 200, schema: Ready },
    problems: [503],
  })
  async ready() {
    try {
      await this.terminus.check([() => this.database(), () => this.migrations()]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) {
        throw error;
      }
      const result = error.getResponse() as { details?: Record<string, { status: string }> };
      const checks = result.details ?? {};
      if (checks.database?.status !== 'up') {
        throw new DomainError(503, 'database-unavailable', 'The database cannot be reached', undefined, { checks });
      }
      throw new DomainError(503, 'migrations-pending', 'Database migrations are not applied', undefined, { checks });
    }
    return { status: 'ready' as const, database: 'up' as const, migrations: 'current' as const };
  }

  private async database() {
    const indicator = this.indicators.check('database');
    try {
      await withTimeout(this.prisma.$queryRawUnsafe('SELECT 1'), CHECK_TIMEOUT_MS);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message.split('\n')[0].slice(0, 200) });
    }
  }

  private async migrations() {
    const indicator = this.indicators.check('migrations');
    try {
      const pending = await withTimeout(
        pendingMigrations((sql) => this.prisma.$queryRawUnsafe(sql)),
        CHECK_TIMEOUT_MS,
      );
      return pending.length === 0 ? indicator.up() : indicator.down({ pending });
    } catch {
      return indicator.down({ message: 'cannot read _prisma_migrations' });
    }
  }
}
