import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { IpamModule } from '../ipam/ipam.module';
import { NetworksModule } from '../networks/networks.module';
import { ExpirySweeper } from './expiry.sweeper';
import { PeersController } from './peers.controller';
import { PeersRepository } from './peers.repository';
import { PeersService } from './peers.service';

@Module({
  imports: [AuditModule, IpamModule, NetworksModule],
  controllers: [PeersController],
  providers: [PeersRepository, PeersService, ExpirySweeper],
  exports: [PeersService],
})
export class PeersModule {}
