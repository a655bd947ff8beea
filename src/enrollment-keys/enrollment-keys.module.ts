import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { NetworksModule } from '../networks/networks.module';
import { EnrollmentKeysController } from './enrollment-keys.controller';
import { EnrollmentKeysRepository } from './enrollment-keys.repository';
import { EnrollmentKeysService } from './enrollment-keys.service';

@Module({
  imports: [AuditModule, NetworksModule],
  controllers: [EnrollmentKeysController],
  providers: [EnrollmentKeysRepository, EnrollmentKeysService],
  exports: [EnrollmentKeysService],
})
export class EnrollmentKeysModule {}
