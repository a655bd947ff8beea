import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assertValidPublicKey,
  decodeKey,
  generateKeyPair,
  generatePresharedKey,
  InvalidKeyError,
  publicKeyOf,
} from './x25519';

const P = 2n ** 255n - 19n;
const WG_KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/** A u-coordinate as a WireGuard key: 32 bytes little-endian, base64. */
function encodeU(u: bigint): string {
  const bytes = Buffer.alloc(32);
  let rest = u;
  for (let i = 0; i < 32; i++) {
    bytes[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  expect(rest).toBe(0n);
  return bytes.toString('base64');
}

function withHighBit(key: string): string {
  const bytes = Buffer.from(key, 'base64');
  bytes[31] |= 0x80;
  return bytes.toString('base64');
}

function hexToKey(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

function findOnPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') {
      continue;
    }
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) {
        return candidate;
      }
    } catch {
      // not here
    }
  }
  return null;
}

describe('generateKeyPair', () => {
  it('makes 200 distinct pairs whose public key is publicKeyOf(private key)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const pair = generateKeyPair();
      expect(pair.privateKey).toMatch(WG_KEY);
      expect(pair.publicKey).toMatch(WG_KEY);
      expect(Buffer.from(pair.privateKey, 'base64')).toHaveLength(32);
      expect(publicKeyOf(pair.privateKey)).toBe(pair.publicKey);
      expect(() => assertValidPublicKey(pair.publicKey)).not.toThrow();
      seen.add(pair.privateKey);
      seen.add(pair.publicKey);
    }
    expect(seen.size).toBe(400);
  });
});

describe('publicKeyOf', () => {
  it('matches the RFC 7748 section 6.1 test vectors', () => {
    const alicePrivate = hexToKey('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const alicePublic = hexToKey('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    const bobPrivate = hexToKey('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
    const bobPublic = hexToKey('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    expect(publicKeyOf(alicePrivate)).toBe(alicePublic);
    expect(publicKeyOf(bobPrivate)).toBe(bobPublic);
  });

  it('refuses a private key that is not a WireGuard key', () => {
    expect(() => publicKeyOf('not a key')).toThrow(InvalidKeyError);
    expect(() => publicKeyOf(generateKeyPair().privateKey.slice(0, 43))).toThrow(InvalidKeyError);
  });
});

describe('generatePresharedKey', () => {
  it('makes distinct 32-byte keys in WireGuard format', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const key = generatePresharedKey();
      expect(key).toMatch(WG_KEY);
      expect(decodeKey(key)).toHaveLength(32);
      keys.add(key);
    }
    expect(keys.size).toBe(100);
  });
});

describe('decodeKey', () => {
  it('decodes a key to its 32 bytes', () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
    expect(Array.from(decodeKey(Buffer.from(bytes).toString('base64')))).toEqual(Array.from(bytes));
  });
});

describe('assertValidPublicKey', () => {
  const valid = generateKeyPair().publicKey;

  it('accepts a real public key', () => {
    expect(() => assertValidPublicKey(valid)).not.toThrow();
    expect(() =>
      assertValidPublicKey(hexToKey('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f')),
    ).not.toThrow();
  });

  it.each([
    ['empty', ''],
    ['31 bytes', Buffer.alloc(31, 9).toString('base64')],
    ['33 bytes', Buffer.alloc(33, 9).toString('base64')],
    ['64 bytes', Buffer.alloc(64, 9).toString('base64')],
    ['43 characters (padding dropped)', valid.slice(0, 43)],
    ['45 characters', `${valid}=`],
    ['base64url alphabet', `${'-_'.repeat(21)}A=`],
    ['a character outside base64', `!${valid.slice(1)}`],
    ['a space inside', `${valid.slice(0, 20)} ${valid.slice(21)}`],
    ['a trailing newline', `${valid}\n`],
    ['leading whitespace', ` ${valid}`],
    ['hex instead of base64', 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f'],
  ])('rejects a malformed key: %s', (_, text) => {
    expect(() => assertValidPublicKey(text)).toThrow(InvalidKeyError);
    expect(() => assertValidPublicKey(text)).toThrow(/44 characters/);
  });

  it('rejects a non-canonical last character (stray low bits that base64 decoding would drop)', () => {
    const canonicalLast = 'AEIMQUYcgkosw048';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    let rejected = 0;
    for (const c of alphabet) {
      const key = `${valid.slice(0, 42)}${c}=`;
      if (canonicalLast.includes(c)) {
        expect(() => decodeKey(key)).not.toThrow();
      } else {
        // Buffer.from would decode this to the same 32 bytes as a canonical key.
        expect(Buffer.from(key, 'base64')).toHaveLength(32);
        expect(() => assertValidPublicKey(key), key).toThrow(InvalidKeyError);
        rejected++;
      }
    }
    expect(rejected).toBe(48);
  });

  const lowOrder: [string, bigint][] = [
    ['u = 0', 0n],
    ['u = 1', 1n],
    ['u = p - 1', P - 1n],
    ['order-8 point 3256…504', 325606250916557431795983626356110631294008115727848805560023387167927233504n],
    ['order-8 point 3938…823', 39382357235489614581723060781553021112529911719440698176882885853963445705823n],
    ['u = p (non-canonical 0)', P],
    ['u = p + 1 (non-canonical 1)', P + 1n],
  ];

  it.each(lowOrder)('rejects the low-order point %s', (_, u) => {
    const key = encodeU(u);
    expect(key).toMatch(WG_KEY); // well-formed: the rejection is about the point, not the text
    expect(() => assertValidPublicKey(key)).toThrow(InvalidKeyError);
    expect(() => assertValidPublicKey(key)).toThrow(/low-order/);
  });

  it.each(lowOrder)('rejects the low-order point %s with the ignored top bit set', (_, u) => {
    expect(() => assertValidPublicKey(withHighBit(encodeU(u)))).toThrow(/low-order/);
  });

  it('accepts u = 9 (the base point) and other ordinary points', () => {
    expect(() => assertValidPublicKey(encodeU(9n))).not.toThrow();
    expect(() => assertValidPublicKey(encodeU(2n))).not.toThrow();
    expect(() => assertValidPublicKey(encodeU(P - 2n))).not.toThrow();
  });
});

const WG = findOnPath('wg');
const ON_CI = process.env.CI !== undefined && !['', '0', 'false'].includes(process.env.CI);
// The title says why the test is skipped (or why it fails on CI), so the reason is in every report.
const wgTitle =
  WG !== null
    ? `wg pubkey (${WG})`
    : ON_CI
      ? 'wg pubkey (wireguard-tools not installed, but required because CI is set)'
      : 'wg pubkey (skipped: wireguard-tools not installed)';
describe(wgTitle, () => {
  it.skipIf(WG === null && !ON_CI)('agrees with generateKeyPair and publicKeyOf', () => {
    if (WG === null) {
      throw new Error('CI is set but `wg` (wireguard-tools) is not on PATH: install wireguard-tools on the CI image');
    }
    const wgPubkey = (privateKey: string): string =>
      execFileSync(WG, ['pubkey'], { input: `${privateKey}\n`, encoding: 'utf8', timeout: 10_000 }).trim();
    for (let i = 0; i < 40; i++) {
      const pair = generateKeyPair();
      expect(wgPubkey(pair.privateKey)).toBe(pair.publicKey);
    }
    // Unclamped private keys: wg and publicKeyOf must both clamp.
    for (const fill of [0x00, 0xff, 0x80, 0x07]) {
      const privateKey = Buffer.alloc(32, fill).toString('base64');
      expect(wgPubkey(privateKey)).toBe(publicKeyOf(privateKey));
    }
    const alicePrivate = hexToKey('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    expect(wgPubkey(alicePrivate)).toBe(hexToKey('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a'));
  });
});
