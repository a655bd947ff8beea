import { type DynamicModule, Global, Module } from '@nestjs/common';
import { DataFiles } from './data-files';
import { HubReads } from './hub-reads';
import { RevisionTicker } from './revision-ticker';
import { RateLimitStore } from './rate-limit.store';
import { DATABASE_POOL_SIZE, DATABASE_URL, PrismaService } from './prisma.service';

/** Infrastructure for every module: the database connections and the data folder's files. */
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
        HubReads,
        RevisionTicker,
        DataFiles,
      ],
      exports: [DATABASE_URL, PrismaService, RateLimitStore, HubReads, RevisionTicker, DataFiles],
    };
  }
}
