import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Public } from '../auth/auth.decorators';
import { DomainError } from '../common/errors/domain-error';
import { ApiOp } from '../common/http/openapi.decorators';
import { migrationsCurrent } from '../database/migrate';
import { PrismaService } from '../database/prisma.service';

const Health = z.object({ status: z.literal('ok') });
const Ready = z.object({ status: z.literal('ready'), database: z.literal('up'), migrations: z.literal('current') });

@ApiTags('ops')
@Controller()
export class HealthController {
  constructor(private readonly prisma: PrismaService) {}

  @Get('healthz')
  @Public()
  @ApiOp({
    summary: 'Liveness: the process answers',
    auth: false,
    rateLimited: false,
    ok: { status: 200, schema: Health },
  })
  health() {
    return { status: 'ok' as const };
  }

  @Get('readyz')
  @Public()
  @ApiOp({
    summary: 'Readiness: database reachable and migrations current',
    auth: false,
    rateLimited: false,
    ok: { status: 200, schema: Ready },
    problems: [503],
  })
  async ready() {
    let current: boolean;
    try {
      current = await migrationsCurrent((sql) => this.prisma.$queryRawUnsafe(sql));
    } catch {
      throw new DomainError(503, 'database-unavailable', 'The database cannot be reached');
    }
    if (!current) {
      throw new DomainError(503, 'migrations-pending', 'Database migrations are not applied');
    }
    return { status: 'ready' as const, database: 'up' as const, migrations: 'current' as const };
  }
}
