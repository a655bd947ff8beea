import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { IpamModule } from '../ipam/ipam.module';
import { VisibleNetworkPipe } from './network.pipe';
import { NetworksController } from './networks.controller';
import { NetworksRepository } from './networks.repository';
import { NetworksService } from './networks.service';

@Module({
  imports: [AuditModule, IpamModule],
  controllers: [NetworksController],
  providers: [NetworksRepository, NetworksService, VisibleNetworkPipe],
  exports: [NetworksService, VisibleNetworkPipe],
})
export class NetworksModule {}
