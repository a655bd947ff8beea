/**
 * Log redaction: secrets must never reach a log line (invariant 7). Three nets: fields whose
 * name says "secret" (SECRET_FIELD_NAMES below, matched case-insensitively, with or without
 * separators), values shaped like one of our secrets wherever they appear in text, and
 * credentials inside connection URLs. Anything nested deeper than we walk is dropped, never
 * written as it is.
 */

/** Every field name the service knows to hold a secret (test/e2e/log-redaction.e2e.spec.ts feeds each). */
export const SECRET_FIELD_NAMES = [
  'privateKey',
  'presharedKey',
  'secret',
  'secretKey',
  'token',
  'adminToken',
  'agentToken',
  'metricsToken',
  'claimToken',
  'enrollmentKey',
  'password',
  'authorization',
  'proxyAuthorization',
  'cookie',
  'setCookie',
  'databaseUrl',
  'connectionString',
] as const;

const SECRET_FIELD =
  /(private.?key|preshared.?key|secret|token|password|passwd|authorization|enrollment.?key|claim|cookie|database.?url|connection.?string)/i;
const SECRET_VALUE = /\bwg[tkcs]_[A-Za-z0-9_-]{8}[A-Za-z0-9_-]*/g;
const KEY_LINE = /((?:PrivateKey|PresharedKey)\s*=\s*)[A-Za-z0-9+/=]+/g;
/** "privateKey":"…" inside serialised JSON that reached a message as text. */
const KEY_JSON = /("(?:private_?key|preshared_?key|privateKeyEnc|presharedKeyEnc)"\s*:\s*)"[^"]*"/gi;
/** scheme://user:password@host → scheme://user:[redacted]@host */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@/?#\s]+@/gi;
/** Bearer <anything> in text (an Authorization header echoed into a message); our own secrets keep their masked prefix. */
const BEARER = /\b(Bearer\s+)(?!wg[tkcs]_)\S+/gi;
const MAX_DEPTH = 6;
/**
 * What every pattern above needs at least one of (a secret prefix, `=`, a quote, `://`, the
 * word Bearer): text with none of them is returned as it is, with one test instead of five.
 */
const MAY_HOLD_SECRET = /wg[tkcs]_|[="]|:\/\/|bearer/i;

export function redactText(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) {
    return text;
  }
  return text
    .replace(SECRET_VALUE, (s) => `${s.slice(0, 12)}…`)
    .replace(KEY_LINE, '$1[redacted]')
    .replace(KEY_JSON, '$1"[redacted]"')
    .replace(URL_CREDENTIALS, '$1[redacted]@')
    .replace(BEARER, '$1[redacted]');
}

export function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name);
}

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return redactText(value);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  if (depth > MAX_DEPTH) {
    return '[too deep]';
  }
  if (value instanceof Error) {
    return { name: value.name, message: redactText(value.message), stack: value.stack && redactText(value.stack) };
  }
  if (Array.isArray(value)) {
    return value.map((v) => redact(v, depth + 1));
  }
  if (value instanceof Map) {
    return redact(Object.fromEntries(value), depth);
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = isSecretField(key) && v !== null && v !== undefined ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}
