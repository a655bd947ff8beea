import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Public } from '../common/http/auth.decorators';
import { Problems } from '../domain/problems/problems';
import { ApiOp } from '../common/http/openapi.decorators';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { MetricsService } from './metrics.service';

const digest = (text: string) => createHash('sha256').update(text).digest();

@ApiTags('ops')
@Controller()
export class MetricsController {
  private readonly expected: Buffer | null;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.expected = config.metricsToken === undefined ? null : digest(config.metricsToken);
  }

  @Get('metrics')
  @Public()
  @ApiOp({
    summary: 'Prometheus metrics (text exposition format)',
    description:
      'Open unless METRICS_TOKEN is set; then send Authorization: Bearer <METRICS_TOKEN>. ' +
      'Counters and latency are per process (sum over replicas); pool, hub and peer gauges are read from the database (same on every replica: use max).',
    auth: false,
    rateLimited: false,
    ok: {
      status: 200,
      description: 'The metrics',
      text: 'Prometheus text exposition format (Content-Type: text/plain; version=0.0.4)',
      headers: {
        'Cache-Control': {
          description: 'Never cached',
          schema: { type: 'string', enum: ['no-store'] },
          required: true,
        },
      },
    },
    problems: [401],
  })
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    if (this.expected !== null) {
      if (authorization === undefined || authorization === '') {
        throw Problems.unauthenticated();
      }
      const presented = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
      if (presented === undefined || !timingSafeEqual(digest(presented), this.expected)) {
        throw Problems.invalidCredential();
      }
    }
    const text = await this.metrics.render();
    res.setHeader('Content-Type', this.metrics.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(text);
  }
}
