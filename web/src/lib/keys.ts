// The device's key pair, made in the browser: only the public key ever leaves the page.
import { x25519 } from '@noble/curves/ed25519.js';
import { clampPrivateKey } from '../../../src/domain/keys/clamp';

export interface BrowserKeyPair {
  readonly privateKey: string;
  readonly publicKey: string;
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary);
}

/**
 * A WireGuard key pair from the browser's CSPRNG (crypto.getRandomValues via noble), clamped
 * as `wg genkey` does. The raw bytes are zeroed once encoded; the base64 strings are dropped by
 * the caller when the config is cleared (JavaScript strings cannot be overwritten).
 */
export function makeKeyPair(): BrowserKeyPair {
  const random = x25519.utils.randomSecretKey();
  const secret = clampPrivateKey(random);
  random.fill(0);
  const publicKey = base64(x25519.getPublicKey(secret));
  const privateKey = base64(secret);
  secret.fill(0);
  return { privateKey, publicKey };
}
