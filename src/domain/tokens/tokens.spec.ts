import { describe, expect, it } from 'vitest';
import { hashSecret, kindOfSecret, maskedPrefix, newSecret, SECRET_PREFIX, type SecretKind } from './tokens';

const KINDS: [SecretKind, string][] = [
  ['apiToken', 'wgt_'],
  ['enrollmentKey', 'wgk_'],
  ['claim', 'wgc_'],
  ['session', 'wgs_'],
  ['deviceLogin', 'wgd_'],
];

describe('SECRET_PREFIX', () => {
  it('has a distinct readable prefix per kind', () => {
    expect(SECRET_PREFIX).toEqual({
      apiToken: 'wgt_',
      enrollmentKey: 'wgk_',
      claim: 'wgc_',
      session: 'wgs_',
      deviceLogin: 'wgd_',
    });
  });
});

describe('newSecret', () => {
  it.each(KINDS)('makes a %s as %s plus 256 random bits in base64url', (kind, prefix) => {
    const secret = newSecret(kind);
    expect(secret.startsWith(prefix)).toBe(true);
    const body = secret.slice(prefix.length);
    expect(body).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const bytes = Buffer.from(body, 'base64url');
    expect(bytes).toHaveLength(32);
    expect(bytes.toString('base64url')).toBe(body);
  });

  it('never repeats and uses the whole byte range', () => {
    const secrets = new Set<string>();
    const byteValues = new Set<number>();
    const bits = new Array<number>(256).fill(0);
    for (let i = 0; i < 1000; i++) {
      const secret = newSecret('apiToken');
      secrets.add(secret);
      const bytes = Buffer.from(secret.slice(4), 'base64url');
      for (let b = 0; b < 256; b++) {
        bits[b] += (bytes[b >> 3] >> (b & 7)) & 1;
      }
      bytes.forEach((v) => byteValues.add(v));
    }
    expect(secrets.size).toBe(1000);
    expect(byteValues.size).toBe(256);
    // Every one of the 256 bit positions is random: set about half the time (p of a false
    // failure is far below 1e-12 with these bounds).
    for (const count of bits) {
      expect(count).toBeGreaterThan(350);
      expect(count).toBeLessThan(650);
    }
  });

  it('gives each kind its own prefix', () => {
    for (const [kind] of KINDS) {
      expect(kindOfSecret(newSecret(kind))).toBe(kind);
    }
  });
});

describe('hashSecret', () => {
  it('is SHA-256 in lower-case hex', () => {
    expect(hashSecret('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes the UTF-8 bytes', () => {
    // SHA-256 of the two bytes c3 a9 ("é" in UTF-8), not of the Latin-1 byte e9 (de2e331d…).
    expect(hashSecret('é')).toBe('4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c');
  });

  it('is deterministic and differs for different secrets', () => {
    const secret = newSecret('claim');
    expect(hashSecret(secret)).toBe(hashSecret(secret));
    expect(hashSecret(secret)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSecret(secret)).not.toBe(hashSecret(`${secret}x`));
    expect(hashSecret(secret)).not.toBe(hashSecret(newSecret('claim')));
    expect(hashSecret(secret)).not.toContain(secret.slice(4));
  });
});

describe('maskedPrefix', () => {
  it('shows the prefix and eight characters only', () => {
    expect(maskedPrefix('wgt_ABCDEFGHIJKLMNOPQRSTUVWXYZ')).toBe('wgt_ABCDEFGH…');
    expect(maskedPrefix('wgk_abcdefgh12345678')).toBe('wgk_abcdefgh…');
    expect(maskedPrefix('wgc_0123456789')).toBe('wgc_01234567…');
  });

  it.each(KINDS)('hides all but eight characters of a real %s', (kind, prefix) => {
    const secret = newSecret(kind);
    const masked = maskedPrefix(secret);
    expect(masked).toBe(`${secret.slice(0, prefix.length + 8)}…`);
    expect(masked).toHaveLength(prefix.length + 8 + 1);
    expect(masked).not.toContain(secret.slice(prefix.length + 8));
    expect(masked).not.toContain(secret);
  });

  it('shows eight characters of a string without a known prefix', () => {
    expect(maskedPrefix('xyz_ABCDEFGHIJ')).toBe('xyz_ABCD…');
    expect(maskedPrefix('short')).toBe('short…');
  });
});

describe('kindOfSecret', () => {
  it.each(KINDS)('knows a %s by its prefix %s', (kind, prefix) => {
    expect(kindOfSecret(`${prefix}abc`)).toBe(kind);
    expect(kindOfSecret(prefix)).toBe(kind);
  });

  it.each(['', 'wgt', 'wgx_abc', 'WGT_abc', ' wgt_abc', 'xwgt_abc', 'Bearer wgt_abc'])(
    'returns null for %j',
    (text) => {
      expect(kindOfSecret(text)).toBeNull();
    },
  );
});
