import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuditModule } from './audit/audit.module';
import { BootstrapModule } from './bootstrap/bootstrap.module';
import { ClaimsModule } from './claims/claims.module';
import { ProblemFilter } from './common/errors/problem.filter';
import { APP_CONFIG, type AppConfig } from './config/env';
import { DatabaseModule } from './database/database.module';
import { EnrollmentModule } from './enrollment/enrollment.module';
import { EnrollmentKeysModule } from './enrollment-keys/enrollment-keys.module';
import { HealthModule } from './health/health.module';
import { HubModule } from './hub/hub.module';
import { IdentityModule } from './identity/identity.module';
import { IpamModule } from './ipam/ipam.module';
import { MetricsModule } from './metrics/metrics.module';
import { NetworksModule } from './networks/networks.module';
import { PeersModule } from './peers/peers.module';
import { SecretsModule } from './secrets/secrets.module';
import { TokensModule } from './tokens/tokens.module';
import { WebModule } from './web/web.module';

/** The configuration, visible to every module. */
@Global()
@Module({})
class ConfigModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}

/** One feature module per domain word (docs/architecture.md). */
@Module({})
export class AppModule {
  static register(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.register(config),
        DatabaseModule.register(databaseUrl, config.databasePoolSize),
        MetricsModule,
        HealthModule,
        AuditModule,
        SecretsModule,
        IpamModule,
        IdentityModule.register(config),
        NetworksModule,
        EnrollmentKeysModule,
        TokensModule,
        PeersModule,
        EnrollmentModule,
        ClaimsModule,
        HubModule,
        WebModule,
        BootstrapModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemFilter }],
    };
  }
}
