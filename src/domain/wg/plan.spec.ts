import { describe, expect, it } from 'vitest';
import type { WgPeerDump } from './dump';
import { planPeerChanges } from './plan';

const dumped = (publicKey: string, presharedKey: string, allowedIps: string[]): WgPeerDump => ({
  publicKey,
  presharedKey,
  allowedIps,
  endpoint: null,
  latestHandshake: 0,
  rxBytes: 0,
  txBytes: 0,
});

describe('planPeerChanges', () => {
  it('touches nothing when the interface already matches', () => {
    const plan = planPeerChanges(
      [dumped('A', 'p', ['10.0.0.2/32', 'fd::2/128'])],
      [{ publicKey: 'A', presharedKey: 'p', allowedIps: ['fd::2/128', '10.0.0.2/32'] }],
    );
    expect(plan).toEqual({ remove: [], upsert: [] });
  });

  it('removes keys that left, adds new ones, updates changed preshared keys, re-adds changed allowed IPs', () => {
    const plan = planPeerChanges(
      [
        dumped('gone', 'p', ['10.0.0.9/32']),
        dumped('psk', 'old', ['10.0.0.3/32']),
        dumped('ips', 'p', ['10.0.0.4/32']),
        dumped('same', 'p', ['10.0.0.5/32']),
      ],
      [
        { publicKey: 'psk', presharedKey: 'new', allowedIps: ['10.0.0.3/32'] },
        { publicKey: 'ips', presharedKey: 'p', allowedIps: ['10.0.0.6/32'] },
        { publicKey: 'same', presharedKey: 'p', allowedIps: ['10.0.0.5/32'] },
        { publicKey: 'new', presharedKey: 'p', allowedIps: ['10.0.0.7/32'] },
      ],
    );
    expect(plan.remove.sort()).toEqual(['gone', 'ips']);
    expect(plan.upsert.map((p) => p.publicKey).sort()).toEqual(['ips', 'new', 'psk']);
  });
});
