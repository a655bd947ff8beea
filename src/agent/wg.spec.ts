import { describe, expect, it } from 'vitest';
import { withoutUnchangedListenPort } from './wg';

describe('withoutUnchangedListenPort', () => {
  const stripped = '[Interface]\nPrivateKey = x\nListenPort = 51820\n\n[Peer]\nPublicKey = y\n';

  it('leaves the port out when the interface already listens on it (wireguard-go would rebind)', () => {
    expect(withoutUnchangedListenPort(stripped, 51820)).toBe('[Interface]\nPrivateKey = x\n\n[Peer]\nPublicKey = y\n');
  });

  it('keeps it when it changes', () => {
    expect(withoutUnchangedListenPort(stripped, 51821)).toBe(stripped);
  });
});
