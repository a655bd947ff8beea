import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { NetworksModule } from '../networks/networks.module';
import { SecretsModule } from '../secrets/secrets.module';
import { HubApplyService } from './hub-apply.service';
import { HubController } from './hub.controller';
import { HubStatusService } from './hub-status.service';
import { HubRepository } from './hub.repository';
import { HubStatusRepository } from './hub-status.repository';
import { HubService } from './hub.service';
import { RevisionNotifier } from './revision-notifier';

@Module({
  imports: [AuditModule, NetworksModule, SecretsModule],
  controllers: [HubController],
  providers: [HubRepository, HubStatusRepository, HubService, HubStatusService, HubApplyService, RevisionNotifier],
  exports: [RevisionNotifier, HubApplyService],
})
export class HubModule {}
