import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { SESSION_AUTHENTICATOR } from '../common/http/session-auth';
import type { AppConfig } from '../config/env';
import { PeersModule } from '../peers/peers.module';
import { TokensModule } from '../tokens/tokens.module';
import { AuthController, NoSignInController } from './auth.controller';
import { DeviceLoginController } from './device-login.controller';
import { DeviceLoginRepository } from './device-login.repository';
import { DeviceLoginService } from './device-login.service';
import { UsersController } from './users.controller';
import { IdentityRepository } from './identity.repository';
import { IdentityService } from './identity.service';
import { PeopleService } from './people.service';
import { SessionsService } from './sessions.service';
import { OIDC_PROVIDER, SignInService } from './sign-in.service';
import { discoverProvider } from './oidc-provider';

/**
 * People: OpenID Connect sign-in, sessions in Postgres, users. Without OIDC_ISSUER there are no
 * /auth routes and no session authenticator, so the service works as before.
 */
@Global()
@Module({})
export class IdentityModule {
  static register(config: AppConfig): DynamicModule {
    const common = [
      IdentityRepository,
      SignInService,
      SessionsService,
      PeopleService,
      IdentityService,
      DeviceLoginRepository,
      DeviceLoginService,
    ];
    if (config.oidc === null) {
      // The users API stays (and in the API document); no sign-in routes, no session cookie;
      // /auth/device answers sign-in-not-configured, so join.sh --login says so in one line.
      return {
        module: IdentityModule,
        imports: [AuditModule, PeersModule, TokensModule],
        controllers: [UsersController, NoSignInController, DeviceLoginController],
        providers: [...common, { provide: OIDC_PROVIDER, useValue: null }],
      };
    }
    const oidc = config.oidc;
    return {
      module: IdentityModule,
      imports: [AuditModule, PeersModule, TokensModule],
      controllers: [AuthController, UsersController, DeviceLoginController],
      providers: [
        ...common,
        { provide: OIDC_PROVIDER, useFactory: () => discoverProvider(oidc) },
        { provide: SESSION_AUTHENTICATOR, useExisting: IdentityService },
      ],
      exports: [IdentityService, SESSION_AUTHENTICATOR],
    };
  }
}
