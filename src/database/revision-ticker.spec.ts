import { describe, expect, it } from 'vitest';
import type { HubReads } from './hub-reads';
import { RevisionTicker } from './revision-ticker';

/** Stamps that finish when the test says so; each returns the next revision. */
function controlledReads() {
  const started: { network: string; finish: () => void }[] = [];
  let revision = 0n;
  const reads = {
    query: (_sql: string, values: unknown[]) =>
      new Promise((resolve) => {
        started.push({ network: String(values[0]), finish: () => resolve([{ revision: String(++revision) }]) });
      }),
  };
  return { started, ticker: new RevisionTicker(reads as unknown as HubReads) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('RevisionTicker', () => {
  it('shares one stamp queued behind the running one among every call that came meanwhile', async () => {
    const { started, ticker } = controlledReads();
    const first = ticker.stamp('n1');
    await settle();
    expect(started).toHaveLength(1);
    // Came while the first stamp runs: it may predate their commits, so they wait for the next.
    const later = [ticker.stamp('n1'), ticker.stamp('n1'), ticker.stamp('n1')];
    await settle();
    expect(started).toHaveLength(1);
    started[0].finish();
    expect(await first).toBe(1n);
    await settle();
    expect(started).toHaveLength(2);
    started[1].finish();
    expect(await Promise.all(later)).toEqual([2n, 2n, 2n]);
    // Nothing running: the next call starts a stamp at once.
    const next = ticker.stamp('n1');
    await settle();
    expect(started).toHaveLength(3);
    started[2].finish();
    expect(await next).toBe(3n);
  });

  it('stamps networks independently, and a failed stamp does not block the next', async () => {
    const reads = {
      calls: 0,
      query(): Promise<unknown[]> {
        return this.calls++ === 0 ? Promise.reject(new Error('connection lost')) : Promise.resolve([{ revision: '7' }]);
      },
    };
    const ticker = new RevisionTicker(reads as unknown as HubReads);
    const failed = ticker.stamp('n1');
    const queued = ticker.stamp('n1');
    await expect(failed).rejects.toThrow('connection lost');
    expect(await queued).toBe(7n);
    expect(await ticker.stamp('n2')).toBe(7n);
  });
});
