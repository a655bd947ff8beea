import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyPair, publicKeyOf } from '../domain/keys/x25519';
import { ensureHubKey, hubPublicKeyOf } from './hub-files';

function wgPubkey(privateKey: string): string | null {
  try {
    return execFileSync('wg', ['pubkey'], { input: `${privateKey}\n`, encoding: 'utf8' }).trim();
  } catch {
    return null; // wireguard-tools missing: the service's own derivation is the reference
  }
}

describe('the hub key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wg-enroll-hubkey-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is made once (0600) and read back; its public key is what wg pubkey and the service derive', async () => {
    const made = await ensureHubKey(dir, 'wg0');
    expect(statSync(made.file).mode & 0o777).toBe(0o600);
    expect(readFileSync(made.file, 'utf8')).toBe(`${made.privateKey}\n`);
    expect(made.publicKey).toBe(publicKeyOf(made.privateKey));
    expect(made.publicKey).toBe(wgPubkey(made.privateKey) ?? made.publicKey);
    expect(await ensureHubKey(dir, 'wg0')).toEqual(made);
  });

  it('derives like the service for any key, clamped or not', () => {
    for (let i = 0; i < 20; i++) {
      const { privateKey } = generateKeyPair();
      expect(hubPublicKeyOf(privateKey)).toBe(publicKeyOf(privateKey));
    }
    const unclamped = Buffer.alloc(32, 0xff).toString('base64');
    expect(hubPublicKeyOf(unclamped)).toBe(publicKeyOf(unclamped));
    expect(hubPublicKeyOf(unclamped)).toBe(wgPubkey(unclamped) ?? publicKeyOf(unclamped));
  });

  it('refuses a key file that does not hold a key', () => {
    expect(() => hubPublicKeyOf('not a key')).toThrow(/32 bytes/);
    expect(() => hubPublicKeyOf(Buffer.alloc(31).toString('base64'))).toThrow(/32 bytes/);
  });
});
