import { createHash, randomBytes } from 'node:crypto';

/**
 * Secrets handed to people: a readable prefix plus 256 random bits. Only a SHA-256 hash is
 * stored (the secret has full entropy, so a slow hash buys nothing); listings and logs show the
 * masked prefix only.
 */
export const SECRET_PREFIX = {
  apiToken: 'wgt_',
  enrollmentKey: 'wgk_',
  claim: 'wgc_',
  /** A browser session's id (the cookie value). */
  session: 'wgs_',
  /** The node's handle on a device login under way (join.sh --login). */
  deviceLogin: 'wgd_',
} as const;

export type SecretKind = keyof typeof SECRET_PREFIX;

export function newSecret(kind: SecretKind): string {
  return SECRET_PREFIX[kind] + randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The part of a secret that may be shown after creation: prefix and eight characters. */
export function maskedPrefix(secret: string): string {
  const prefix = Object.values(SECRET_PREFIX).find((p) => secret.startsWith(p)) ?? '';
  return `${secret.slice(0, prefix.length + 8)}…`;
}

export function kindOfSecret(secret: string): SecretKind | null {
  const entry = Object.entries(SECRET_PREFIX).find(([, p]) => secret.startsWith(p));
  return entry ? (entry[0] as SecretKind) : null;
}

/** A claim token exactly as the service issues it: the prefix and 43 base64url characters. */
export const CLAIM_TOKEN_PATTERN = /^wgc_[A-Za-z0-9_-]{43}$/;
