import { type DynamicModule, Global, Module } from '@nestjs/common';
import { RateLimitStore } from '../common/http/rate-limiter';
import { DATABASE_POOL_SIZE, DATABASE_URL, PrismaService } from './prisma.service';

/** The database connections of the process, for every repository. */
@Global()
@Module({})
export class DatabaseModule {
  static register(url: string, poolSize: number): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATABASE_URL, useValue: url },
        { provide: DATABASE_POOL_SIZE, useValue: poolSize },
        PrismaService,
        RateLimitStore,
      ],
      exports: [DATABASE_URL, PrismaService, RateLimitStore],
    };
  }
}
