import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { HubModule } from '../hub/hub.module';
import { NetworksModule } from '../networks/networks.module';
import { SecretsModule } from '../secrets/secrets.module';
import { ClaimPageController } from './claim-page.controller';
import { ClaimsController } from './claims.controller';
import { ClaimsRepository } from './claims.repository';
import { ClaimsService } from './claims.service';

@Module({
  imports: [AuditModule, HubModule, NetworksModule, SecretsModule],
  controllers: [ClaimsController, ClaimPageController],
  providers: [ClaimsRepository, ClaimsService],
})
export class ClaimsModule {}
