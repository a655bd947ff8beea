/**
 * WireGuard's private-key clamping (as `wg genkey` does, RFC 7748 §5): clear the three low
 * bits and the top bit, set bit 254. Pure and browser-safe; returns a new array.
 */
export function clampPrivateKey(bytes: Uint8Array): Uint8Array {
  if (bytes.length !== 32) {
    throw new Error('an X25519 private key is 32 bytes');
  }
  const out = Uint8Array.from(bytes);
  out[0] &= 248;
  out[31] = (out[31] & 127) | 64;
  return out;
}
