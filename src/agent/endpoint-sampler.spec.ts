import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ENDPOINT_SAMPLE_MIN_MS, EndpointSampler } from './endpoint-sampler';
import type { Wg } from './wg';

/**
 * The sampling interval follows the cost of reading the interface (`wg show endpoints`) and
 * nothing else. The reads and the report are timed on fake timers, so the interval between two
 * reads is exact: ten times the read, at least ENDPOINT_SAMPLE_MIN_MS.
 */

const KEY = 'k'.repeat(43) + '=';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A sampler on an interface whose one peer key alternates between two machines on every read. */
function sampler(readMs: number, reportMs: number) {
  const readsAt: number[] = [];
  let reports = 0;
  const wg = {
    async endpoints(): Promise<Map<string, string>> {
      readsAt.push(performance.now());
      await sleep(readMs);
      const host = readsAt.length % 2 === 1 ? '192.0.2.1' : '198.51.100.7';
      return new Map([[KEY, `${host}:51820`]]);
    },
  } as Pick<Wg, 'endpoints'> as Wg;
  const abort = new AbortController();
  const s = new EndpointSampler(wg, 'wgtest0', { warn: () => undefined }, abort.signal, {
    applied: () => true,
    report: async () => {
      reports++;
      await sleep(reportMs);
    },
  });
  return { s, readsAt, reports: () => reports, stop: () => (abort.abort(), s.stop()) };
}

const gaps = (at: number[]) => at.slice(1).map((t, i) => Math.round(t - at[i]));

describe('the endpoint sampler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits ten times the read between reads, at least the minimum', async () => {
    const slow = sampler(100, 0);
    slow.s.start();
    await vi.advanceTimersByTimeAsync(ENDPOINT_SAMPLE_MIN_MS + 3 * 1100 + 50);
    slow.stop();
    // Each gap: the read (100 ms) and then ten times it.
    expect(gaps(slow.readsAt)).toEqual([1100, 1100, 1100]);

    const fast = sampler(5, 0);
    fast.s.start();
    await vi.advanceTimersByTimeAsync(ENDPOINT_SAMPLE_MIN_MS + 3 * 205 + 1);
    fast.stop();
    expect(gaps(fast.readsAt)).toEqual([205, 205, 205]);
  });

  it('does not count the report a find sends as the cost of reading', async () => {
    const t = sampler(50, 5000);
    t.s.start();
    // Four reads find the key on two machines (the fourth flags it); its report takes 5 s.
    await vi.advanceTimersByTimeAsync(ENDPOINT_SAMPLE_MIN_MS + 3 * 550 + 50 + 5000 + 500 + 1);
    t.stop();
    expect(t.reports()).toBe(1);
    expect(t.s.pending().get(KEY)).toEqual(['192.0.2.1', '198.51.100.7']);
    // After the report, the next read comes ten reads (500 ms) later, not ten times the report.
    expect(gaps(t.readsAt)).toEqual([550, 550, 550, 50 + 5000 + 500]);
  });
});
