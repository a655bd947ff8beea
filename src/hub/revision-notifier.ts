import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { ListenConnection } from '../database/listen-connection';
import { DATABASE_URL, REVISION_CHANNEL } from '../database/prisma.service';

/**
 * Wakes long-polls when a network's revision moves. The database sends NOTIFY at commit (see
 * the migration's trigger), so a change made through any API process wakes the agents waiting on
 * every process. One dedicated connection per process LISTENs; if it drops, every waiter is
 * woken (they re-read the revision) and the listener reconnects with backoff.
 */
@Injectable()
export class RevisionNotifier implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly events = new EventEmitter();
  private readonly connection: ListenConnection;
  private stopped = false;

  constructor(@Inject(DATABASE_URL) url: string) {
    this.events.setMaxListeners(0);
    this.connection = new ListenConnection(
      url,
      REVISION_CHANNEL,
      (payload) => {
        // "<network>:<revision>" for a desired-state change, "<network>:applied:<revision>" when
        // the hub agent reports a newly applied revision.
        const [networkId, kind, applied] = payload.split(':');
        if (!networkId) {
          return;
        }
        if (kind === 'applied') {
          if (applied !== undefined && /^\d+$/.test(applied)) {
            this.events.emit(`applied:${networkId}`, BigInt(applied));
          }
          return;
        }
        this.events.emit(networkId);
      },
      () => this.events.emit('*'),
    );
  }

  async onModuleInit(): Promise<void> {
    await this.connection.start();
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
    await this.connection.stop();
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

  /**
   * A subscription to the revisions the network's hub agent reports as applied: `next()` settles
   * with the next reported revision, or null after timeoutMs, when the listener reconnected
   * (re-read then) or at shutdown; `over` is true once it timed out or was cancelled (at shutdown too). Subscribe before reading the applied revision, so a report in
   * between is not missed; cancel it when done.
   */
  subscribeApplied(
    networkId: string,
    timeoutMs: number,
  ): { next(): Promise<bigint | null>; readonly over: boolean; cancel(): void } {
    const event = `applied:${networkId}`;
    const queue: (bigint | null)[] = [];
    let wake: (() => void) | null = null;
    let over = false;
    const push = (value: bigint | null) => {
      queue.push(value);
      wake?.();
    };
    const onApplied = (revision: bigint) => push(revision);
    const onAll = () => push(null);
    const timer = setTimeout(() => {
      over = true;
      push(null);
    }, timeoutMs);
    this.events.on(event, onApplied);
    this.events.on('*', onAll);
    const cancel = () => {
      over = true;
      clearTimeout(timer);
      this.events.off(event, onApplied);
      this.events.off('*', onAll);
      push(null);
    };
    const next = async (): Promise<bigint | null> => {
      while (queue.length === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
      return queue.shift()!;
    };
    if (this.stopped) {
      over = true;
      push(null);
    }
    return {
      next,
      cancel,
      get over() {
        return over;
      },
    };
  }
}
