import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box';

const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const CONTEXT = 'peer:0190f5a2-7c3e-7000-8000-000000000001:privateKey';

describe('SecretBox', () => {
  it('needs a 32-byte key', () => {
    expect(() => new SecretBox(Buffer.alloc(31))).toThrow(/32-byte/);
    expect(() => new SecretBox(Buffer.alloc(33))).toThrow(/32-byte/);
    expect(() => new SecretBox(Buffer.alloc(0))).toThrow(/32-byte/);
    expect(() => new SecretBox(Buffer.alloc(32))).not.toThrow();
  });

  it.each([
    ['empty', ''],
    ['a WireGuard key', 'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk='],
    ['unicode', 'Grüße, 世界 🚀'],
    ['100 kB', 'x'.repeat(100_000)],
  ])('round-trips %s', (_, plaintext) => {
    const box = new SecretBox(KEY);
    const sealed = box.seal(plaintext, CONTEXT);
    expect(sealed).toBeInstanceOf(Uint8Array);
    expect(box.open(sealed, CONTEXT)).toBe(plaintext);
    // A second box with the same key (e.g. after a restart) opens it too.
    expect(new SecretBox(Buffer.from(KEY)).open(sealed, CONTEXT)).toBe(plaintext);
  });

  it('lays out version 1 | iv(12) | tag(16) | ciphertext', () => {
    const plaintext = 'Grüße';
    const sealed = new SecretBox(KEY).seal(plaintext, CONTEXT);
    expect(sealed[0]).toBe(1);
    expect(sealed.length).toBe(1 + 12 + 16 + Buffer.byteLength(plaintext, 'utf8'));
  });

  it('uses a fresh IV each time and never shows the plaintext', () => {
    const box = new SecretBox(KEY);
    const plaintext = 'PLAINTEXT-MARKER-PLAINTEXT-MARKER';
    const a = Buffer.from(box.seal(plaintext, CONTEXT));
    const b = Buffer.from(box.seal(plaintext, CONTEXT));
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(1, 13).equals(b.subarray(1, 13))).toBe(false);
    expect(a.includes(Buffer.from(plaintext))).toBe(false);
    expect(a.includes(Buffer.from('PLAINTEXT'))).toBe(false);
  });

  it('opens a copy held in a plain Uint8Array or a Buffer (as read back from the database)', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('secret', CONTEXT);
    expect(box.open(new Uint8Array(sealed), CONTEXT)).toBe('secret');
    expect(box.open(Buffer.from(sealed), CONTEXT)).toBe('secret');
  });

  it('detects tampering with any byte of iv, tag or ciphertext', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('a secret worth protecting', CONTEXT);
    for (let i = 1; i < sealed.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const tampered = Uint8Array.from(sealed);
        tampered[i] ^= bit;
        expect(() => box.open(tampered, CONTEXT), `byte ${i} bit ${bit}`).toThrow();
      }
    }
    expect(box.open(sealed, CONTEXT)).toBe('a secret worth protecting');
  });

  it('refuses an unknown version byte', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('secret', CONTEXT);
    for (const version of [0, 2, 255]) {
      const other = Uint8Array.from(sealed);
      other[0] = version;
      expect(() => box.open(other, CONTEXT)).toThrow(/unknown secret format/);
    }
  });

  it('refuses truncated or appended data', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('secret', CONTEXT);
    expect(() => box.open(sealed.subarray(0, sealed.length - 1), CONTEXT)).toThrow();
    expect(() => box.open(sealed.subarray(0, 29), CONTEXT)).toThrow();
    expect(() => box.open(sealed.subarray(0, 28), CONTEXT)).toThrow(/unknown secret format/);
    expect(() => box.open(new Uint8Array(0), CONTEXT)).toThrow(/unknown secret format/);
    expect(() => box.open(Uint8Array.from([...sealed, 0]), CONTEXT)).toThrow();
  });

  it('binds the ciphertext to its context (associated data)', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('secret', CONTEXT);
    expect(() => box.open(sealed, 'peer:0190f5a2-7c3e-7000-8000-000000000002:privateKey')).toThrow();
    expect(() => box.open(sealed, 'peer:0190f5a2-7c3e-7000-8000-000000000001:presharedKey')).toThrow();
    expect(() => box.open(sealed, '')).toThrow();
    expect(() => box.open(sealed, `${CONTEXT} `)).toThrow();
    const noContext = box.seal('secret', '');
    expect(box.open(noContext, '')).toBe('secret');
    expect(() => box.open(noContext, CONTEXT)).toThrow();
  });

  it('does not open with another key', () => {
    const sealed = new SecretBox(KEY).seal('secret', CONTEXT);
    expect(() => new SecretBox(randomBytes(32)).open(sealed, CONTEXT)).toThrow();
    const oneBitOff = Buffer.from(KEY);
    oneBitOff[31] ^= 1;
    expect(() => new SecretBox(oneBitOff).open(sealed, CONTEXT)).toThrow();
  });
});
