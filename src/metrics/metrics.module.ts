import { Global, Module } from '@nestjs/common';
import { IpamModule } from '../ipam/ipam.module';
import { MetricsController } from './metrics.controller';
import { MetricsRepository } from './metrics.repository';
import { MetricsService } from './metrics.service';

/** Global: the rate limiter and the HTTP middleware count into the same registry. */
@Global()
@Module({
  controllers: [MetricsController],
  imports: [IpamModule],
  providers: [MetricsRepository, MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
