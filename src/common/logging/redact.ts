/**
 * Log redaction: secrets must never reach a log line (invariant 7). Two nets: fields whose name
 * says "secret", and values shaped like one of our secrets wherever they appear in text.
 */
const SECRET_FIELD = /(private.?key|preshared.?key|secret|token|password|authorization|enrollment.?key|claim|cookie)/i;
const SECRET_VALUE = /\bwg[tkc]_[A-Za-z0-9_-]{8}[A-Za-z0-9_-]*/g;
const KEY_LINE = /((?:PrivateKey|PresharedKey)\s*=\s*)[A-Za-z0-9+/=]+/g;

export function redactText(text: string): string {
  return text.replace(SECRET_VALUE, (s) => `${s.slice(0, 12)}…`).replace(KEY_LINE, '$1[redacted]');
}

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return redactText(value);
  }
  if (value === null || typeof value !== 'object' || depth > 6) {
    return value;
  }
  if (value instanceof Error) {
    return { name: value.name, message: redactText(value.message), stack: value.stack && redactText(value.stack) };
  }
  if (Array.isArray(value)) {
    return value.map((v) => redact(v, depth + 1));
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_FIELD.test(key) && v !== null && v !== undefined ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}
