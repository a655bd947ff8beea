import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { EmbeddedAgentHost } from './agent/embedded-agent';
import { AuditController } from './audit/audit.controller';
import { AuditRepository } from './audit/audit.repository';
import { AuthGuard } from './auth/auth.guard';
import { AuthRepository } from './auth/auth.repository';
import { AuthService } from './auth/auth.service';
import { TokensController } from './auth/tokens.controller';
import { WhoAmIController } from './auth/whoami.controller';
import { BootstrapService } from './bootstrap/bootstrap.service';
import { SettingsRepository } from './bootstrap/settings.repository';
import { ClaimsController } from './claims/claims.controller';
import { ProblemFilter } from './common/errors/problem.filter';
import { RateLimitStore } from './common/http/rate-limiter';
import { APP_CONFIG, type AppConfig } from './config/env';
import { DATABASE_POOL_SIZE, DATABASE_URL, PrismaService } from './database/prisma.service';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { HubController } from './hub/hub.controller';
import { HubRepository } from './hub/hub.repository';
import { HubService } from './hub/hub.service';
import { RevisionNotifier } from './hub/revision-notifier';
import { EnrollmentKeysController } from './networks/enrollment-keys.controller';
import { NetworksController } from './networks/networks.controller';
import { NetworksRepository } from './networks/networks.repository';
import { NetworksService } from './networks/networks.service';
import { ExpirySweeper } from './peers/expiry.sweeper';
import { PeersController } from './peers/peers.controller';
import { PeersRepository } from './peers/peers.repository';
import { PeersService } from './peers/peers.service';
import { SecretsService } from './peers/secrets.service';
import { ClaimPageController } from './web/claim-page.controller';
import { PagesController } from './web/pages.controller';

@Module({})
export class AppModule {
  static register(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
      controllers: [
        HealthController,
        MetricsController,
        NetworksController,
        EnrollmentKeysController,
        TokensController,
        WhoAmIController,
        PeersController,
        ClaimsController,
        AuditController,
        ClaimPageController,
        PagesController,
        HubController,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: DATABASE_URL, useValue: databaseUrl },
        { provide: DATABASE_POOL_SIZE, useValue: config.databasePoolSize },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        PrismaService,
        MetricsService,
        RateLimitStore,
        AuditRepository,
        AuthRepository,
        AuthService,
        SettingsRepository,
        SecretsService,
        NetworksRepository,
        NetworksService,
        PeersRepository,
        PeersService,
        ExpirySweeper,
        HubRepository,
        HubService,
        RevisionNotifier,
        BootstrapService,
        EmbeddedAgentHost,
      ],
    };
  }
}
