import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module';
import { EnrollmentKeysModule } from '../enrollment-keys/enrollment-keys.module';
import { NetworksModule } from '../networks/networks.module';
import { AuthGuard } from './auth.guard';
import { AuthRepository } from './auth.repository';
import { AuthService } from './auth.service';
import { TokensController } from './tokens.controller';
import { WhoAmIController } from './whoami.controller';

/** API tokens and authentication: the global guard, the tokens API and whoami. */
@Module({
  imports: [AuditModule, EnrollmentKeysModule, NetworksModule],
  controllers: [TokensController, WhoAmIController],
  providers: [AuthRepository, AuthService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService],
})
export class TokensModule {}
