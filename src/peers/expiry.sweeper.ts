import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { PeersService } from './peers.service';

/**
 * Moves peers past expiresAt (and pending peers whose claim ran out) to "expired". Every
 * replica runs it; the sweep statement locks with SKIP LOCKED and changes each peer once, so
 * each expiry happens once however many replicas sweep. It also drops Idempotency-Keys past their 24 h.
 */
@Injectable()
export class ExpirySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ExpirySweeper');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly peers: PeersService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.sweepIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
    }
    await this.running;
  }

  /** One pass; returns the ids expired. */
  async sweep(): Promise<string[]> {
    let ids: string[] = [];
    const pass = (async () => {
      try {
        ids = await this.peers.expireDue();
        await this.peers.pruneIdempotencyKeys();
        if (ids.length > 0) {
          this.logger.log({ msg: 'peers expired', count: ids.length });
        }
      } catch (error) {
        this.logger.warn({ msg: 'expiry sweep failed', err: error });
      }
    })();
    this.running = pass;
    await pass;
    return ids;
  }
}
