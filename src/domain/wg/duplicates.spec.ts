import { describe, expect, it } from 'vitest';
import {
  EndpointFlapDetector,
  duplicateWindowMs,
  endpointHost,
  observeEndpoint,
  type EndpointChange,
} from './duplicates';

const WINDOW = 120_000;

function run(endpoints: string[], stepMs = 5000): ReturnType<typeof observeEndpoint> {
  let history: EndpointChange[] = [];
  let verdict = observeEndpoint(history, endpoints[0], 0, WINDOW);
  endpoints.forEach((endpoint, i) => {
    verdict = observeEndpoint(history, endpoint, i * stepMs, WINDOW);
    history = verdict.history;
  });
  return verdict;
}

describe('one config on two machines', () => {
  it('flags a key that alternates between two hosts (A → B → A → B)', () => {
    const verdict = run(['198.51.100.7:1', '203.0.113.9:2', '198.51.100.7:1', '203.0.113.9:2']);
    expect(verdict.flagged).toBe(true);
    expect(verdict.hosts.sort()).toEqual(['198.51.100.7', '203.0.113.9']);
  });

  it('does not flag one machine that moves (A → B), nor port changes behind one NAT', () => {
    expect(run(['198.51.100.7:1', '203.0.113.9:2', '203.0.113.9:3', '203.0.113.9:4']).flagged).toBe(false);
    expect(run(['198.51.100.7:1', '198.51.100.7:2', '198.51.100.7:3', '198.51.100.7:4']).flagged).toBe(false);
  });

  it('does not flag switches spread wider than the window', () => {
    expect(run(['198.51.100.7:1', '203.0.113.9:2', '198.51.100.7:1', '203.0.113.9:2'], WINDOW).flagged).toBe(false);
  });

  it('reads IPv6 endpoints', () => {
    expect(endpointHost('[fd00::1]:51820')).toBe('fd00::1');
    expect(endpointHost('10.0.0.1:51820')).toBe('10.0.0.1');
  });

  it('keeps a bounded history', () => {
    const many = Array.from({ length: 100 }, (_, i) => `10.0.0.${i % 2}:1`);
    expect(run(many, 10).history.length).toBeLessThanOrEqual(16);
  });
});

describe('endpoint flaps sampled on the hub every second', () => {
  const A = '198.51.100.7';
  const B = '203.0.113.9';
  const C = '192.0.2.4';
  /** Feeds one sample per second; returns the second each key was flagged at. */
  function feed(samples: Record<string, string>[], windowMs = duplicateWindowMs(30)): Map<string, number> {
    const detector = new EndpointFlapDetector();
    const flagged = new Map<string, number>();
    samples.forEach((sample, second) => {
      for (const found of detector.observe(new Map(Object.entries(sample)), second * 1000, windowMs)) {
        expect(flagged.has(found.publicKey)).toBe(false); // once
        flagged.set(found.publicKey, second);
        expect(found.hosts.sort()).toEqual([A, B]);
      }
    });
    return flagged;
  }
  const seconds = (n: number, at: (second: number) => Record<string, string>) =>
    Array.from({ length: n }, (_, i) => at(i));

  it('uses four keepalives, at least two minutes', () => {
    expect(duplicateWindowMs(1)).toBe(120_000);
    expect(duplicateWindowMs(30)).toBe(120_000);
    expect(duplicateWindowMs(60)).toBe(240_000);
  });

  it('flags a key alternating every 7 s at the third switch back and forth (A → B → A → B)', () => {
    const flagged = feed(seconds(60, (s) => ({ dup: `${Math.floor(s / 7) % 2 === 0 ? A : B}:51820`, one: `${C}:1` })));
    expect(flagged).toEqual(new Map([['dup', 21]]));
  });

  it('never flags one move, a move and back, port changes, nor a key seen once', () => {
    const flagged = feed(
      seconds(300, (s) => ({
        moved: `${s < 100 ? A : B}:51820`,
        back: `${s < 100 || s > 200 ? A : B}:51820`,
        nat: `${A}:${1000 + s}`,
        ...(s === 5 ? { once: `${A}:1` } : {}),
      })),
    );
    expect(flagged).toEqual(new Map());
  });

  it('forgets keys that left the interface', () => {
    const detector = new EndpointFlapDetector();
    const at = (s: number, endpoints: Record<string, string>) =>
      detector.observe(new Map(Object.entries(endpoints)), s * 1000, 120_000);
    expect(at(0, { k: `${A}:1` })).toEqual([]);
    expect(at(1, { k: `${B}:1` })).toEqual([]);
    expect(at(2, { k: `${A}:1` })).toEqual([]);
    expect(at(3, {})).toEqual([]); // removed from the hub: its history goes
    expect(at(4, { k: `${B}:1` })).toEqual([]);
    expect(at(5, { k: `${A}:1` })).toEqual([]);
    expect(at(6, { k: `${B}:1` })).toEqual([]);
    expect(at(7, { k: `${A}:1` })[0]?.publicKey).toBe('k');
  });
});
