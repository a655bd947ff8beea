import { Injectable } from '@nestjs/common';
import { pendingMigrations } from '../database/migrate';
import { PrismaService } from '../database/prisma.service';

/** What readiness reads from the database. */
@Injectable()
export class HealthRepository {
  constructor(private readonly prisma: PrismaService) {}

  async ping(): Promise<void> {
    await this.prisma.$queryRawUnsafe('SELECT 1');
  }

  pendingMigrations(): Promise<string[]> {
    return pendingMigrations((sql) => this.prisma.$queryRawUnsafe(sql));
  }
}
