import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { SESSION_AUTHENTICATOR } from '../common/http/session-auth';
import type { AppConfig } from '../config/env';
import { AuthController } from './auth.controller';
import { IdentityRepository } from './identity.repository';
import { IdentityService, OIDC_PROVIDER } from './identity.service';
import { discoverProvider } from './oidc-provider';

/**
 * People: OpenID Connect sign-in, sessions in Postgres, users. Without OIDC_ISSUER it provides
 * nothing (no /auth routes, no session authenticator), so the service works as before.
 */
@Global()
@Module({})
export class IdentityModule {
  static register(config: AppConfig): DynamicModule {
    if (config.oidc === null) {
      return { module: IdentityModule };
    }
    const oidc = config.oidc;
    return {
      module: IdentityModule,
      imports: [AuditModule],
      controllers: [AuthController],
      providers: [
        IdentityRepository,
        IdentityService,
        { provide: OIDC_PROVIDER, useFactory: () => discoverProvider(oidc) },
        { provide: SESSION_AUTHENTICATOR, useExisting: IdentityService },
      ],
      exports: [IdentityService, SESSION_AUTHENTICATOR],
    };
  }
}
