import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { HubModule } from '../hub/hub.module';
import { NetworksModule } from '../networks/networks.module';
import { PeersModule } from '../peers/peers.module';
import { SecretsModule } from '../secrets/secrets.module';
import { EnrollmentController } from './enrollment.controller';
import { EnrollmentRepository } from './enrollment.repository';
import { EnrollmentService } from './enrollment.service';

@Module({
  imports: [AuditModule, HubModule, NetworksModule, PeersModule, SecretsModule],
  controllers: [EnrollmentController],
  providers: [EnrollmentRepository, EnrollmentService],
})
export class EnrollmentModule {}
