import { Logger } from '@nestjs/common';
import { Client } from 'pg';

/** Longest pause between LISTEN reconnects: after an outage, wake-ups resume within about this. */
const MAX_RETRY_MS = 2000;

/**
 * One dedicated Postgres connection that LISTENs on a channel. If it drops, onReset is called
 * (changes may have been missed) and it reconnects with backoff; onReset is also called after
 * every (re)connect.
 */
export class ListenConnection {
  private readonly logger = new Logger('ListenConnection');
  private client: Client | null = null;
  private stopped = false;
  private retryMs = 250;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly onNotify: (payload: string) => void,
    private readonly onReset: () => void,
  ) {}

  async start(): Promise<void> {
    if (this.stopped) {
      return;
    }
    const client = new Client({ connectionString: this.url });
    client.on('notification', (message) => this.onNotify(message.payload ?? ''));
    client.on('error', (error) => {
      this.logger.warn({ msg: 'LISTEN connection lost; reconnecting', err: error.message });
      void this.reconnect(client);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
      this.client = client;
      this.retryMs = 250;
      // Changes may have been missed while disconnected: let every waiter re-read.
      this.onReset();
    } catch (error) {
      this.logger.warn({ msg: 'cannot LISTEN yet; retrying', err: (error as Error).message });
      await client.end().catch(() => undefined);
      this.scheduleReconnect();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => undefined);
  }

  private async reconnect(client: Client): Promise<void> {
    if (this.client === client) {
      this.client = null;
    }
    await client.end().catch(() => undefined);
    this.onReset();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) {
      return;
    }
    const delay = this.retryMs * (0.5 + Math.random());
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    setTimeout(() => void this.start(), delay).unref();
  }
}
