import { describe, expect, it } from 'vitest';
import { endpointHost, observeEndpoint, type EndpointChange } from './duplicates';

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
