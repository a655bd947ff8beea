import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { Client } from 'pg';
import { DATABASE_URL, REVISION_CHANNEL } from '../database/prisma.service';

/** Longest pause between LISTEN reconnects: after an outage, wake-ups resume within about this. */
const MAX_RETRY_MS = 2000;

/**
 * Wakes long-polls when a network's revision moves. The database sends NOTIFY at commit (see
 * the migration's trigger), so a change made through any API process wakes the agents waiting on
 * every process. One dedicated connection per process LISTENs; if it drops, every waiter is
 * woken (they re-read the revision) and the listener reconnects with backoff.
 */
@Injectable()
export class RevisionNotifier implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('RevisionNotifier');
  private readonly events = new EventEmitter();
  private client: Client | null = null;
  private stopped = false;
  private retryMs = 250;

  constructor(@Inject(DATABASE_URL) private readonly url: string) {
    this.events.setMaxListeners(0);
  }

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  /** Before the HTTP server closes: answer every open long-poll now, and wait no more. */
  beginShutdown(): void {
    this.stopped = true;
    this.events.emit('*');
  }

  beforeApplicationShutdown(): void {
    this.beginShutdown();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => undefined);
  }

  /** True from the start of shutdown: long-polls answer at once and connections close. */
  get stopping(): boolean {
    return this.stopped;
  }

  /**
   * A subscription that settles on the next change of the network's revision, after timeoutMs,
   * on abort or at shutdown. Subscribe before reading the revision, so a change in between is
   * not missed; cancel it when it is not awaited, so no listener or timer outlives the request.
   */
  subscribe(networkId: string, timeoutMs: number, signal?: AbortSignal): { changed: Promise<void>; cancel(): void } {
    let done = (): void => undefined;
    const changed = new Promise<void>((resolve) => {
      done = () => {
        clearTimeout(timer);
        this.events.off(networkId, done);
        this.events.off('*', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.events.on(networkId, done);
      this.events.on('*', done);
      signal?.addEventListener('abort', done);
    });
    return { changed, cancel: done };
  }

  private async connect(): Promise<void> {
    if (this.stopped) {
      return;
    }
    const client = new Client({ connectionString: this.url });
    client.on('notification', (message) => {
      const networkId = (message.payload ?? '').split(':')[0];
      if (networkId) {
        this.events.emit(networkId);
      }
    });
    client.on('error', (error) => {
      this.logger.warn({ msg: 'LISTEN connection lost; reconnecting', err: error.message });
      void this.reconnect(client);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${REVISION_CHANNEL}`);
      this.client = client;
      this.retryMs = 250;
      // Changes may have been missed while disconnected: let every waiter re-read.
      this.events.emit('*');
    } catch (error) {
      this.logger.warn({ msg: 'cannot LISTEN yet; retrying', err: (error as Error).message });
      await client.end().catch(() => undefined);
      this.scheduleReconnect();
    }
  }

  private async reconnect(client: Client): Promise<void> {
    if (this.client === client) {
      this.client = null;
    }
    await client.end().catch(() => undefined);
    this.events.emit('*');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) {
      return;
    }
    const delay = this.retryMs * (0.5 + Math.random());
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    setTimeout(() => void this.connect(), delay).unref();
  }
}
