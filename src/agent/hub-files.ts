import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

// The hub key with node:crypto alone (X25519 in PKCS#8 / SPKI DER, the raw key in the last 32
// bytes), not src/domain/keys/x25519.ts: that module loads @noble/curves (for validating keys
// that come in), which costs the agent about 10 MB of resident memory for one derivation.
const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');

function newHubPrivateKey(): string {
  const der = generateKeyPairSync('x25519').privateKey.export({ format: 'der', type: 'pkcs8' });
  return der.subarray(-32).toString('base64');
}

/** The public key of a WireGuard private key (base64), as `wg pubkey` prints it. */
export function hubPublicKeyOf(privateKey: string): string {
  const raw = Buffer.from(privateKey, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== privateKey) {
    throw new Error('the hub key file does not hold a WireGuard private key (32 bytes in base64)');
  }
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, raw]), format: 'der', type: 'pkcs8' });
  return createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
}

/**
 * Invariant 3: the hub file is never half-written. The new text goes to a temporary file in the
 * same directory (0600), is fsynced, renamed over the old file, and the directory is fsynced, so
 * a crash at any point leaves the old file or the new one. The text may come as chunks (a big
 * hub file is written as it is rendered, never held as one string).
 */
export async function atomicWrite(path: string, text: string | Iterable<string>): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const file = await open(tmp, 'wx', 0o600);
  try {
    for (const chunk of typeof text === 'string' ? [text] : text) {
      await file.write(chunk);
    }
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Temporary files a killed agent left behind. */
export async function removeStaleTemporaries(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith('.') && name.endsWith('.tmp')) {
      await unlink(join(dir, name)).catch(() => undefined);
    }
  }
}

/**
 * Invariant 5: the hub's private key is made on the hub, kept in <dir>/<interface>.key (0600),
 * and only its public key ever leaves.
 */
export async function ensureHubKey(
  dir: string,
  iface: string,
): Promise<{ privateKey: string; publicKey: string; file: string }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${iface}.key`);
  let privateKey: string;
  try {
    privateKey = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
    privateKey = newHubPrivateKey();
    try {
      await writeFile(file, `${privateKey}\n`, { mode: 0o600, flag: 'wx' });
    } catch (raced) {
      if ((raced as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw raced;
      }
      privateKey = (await readFile(file, 'utf8')).trim();
    }
  }
  return { privateKey, publicKey: hubPublicKeyOf(privateKey), file };
}
