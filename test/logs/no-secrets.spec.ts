import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BROWSER_MISSING } from '../support/browser';
import { LOG_DIR, SECRETS_DIR } from '../support/paths';

/**
 * Invariant 7, over the whole suite: this project runs after every other spec (vitest
 * sequence.groupOrder) and reads every log line the apps under test wrote. None may contain a
 * secret the suite was issued: API tokens, enrollment keys, claim tokens, private and preshared
 * keys, session ids, device-login handles and device codes, authorization codes (test/support/app.ts records each one as it is
 * handed out), and no JWT (an ID or access token from the OpenID Provider) at all.
 */
function readAll(dir: string): string[] {
  if (!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'));
}

describe('logs of the whole suite', () => {
  const logs = readAll(LOG_DIR).join('\n');
  const secrets = [...new Set(readAll(SECRETS_DIR).join('\n').split('\n').filter(Boolean))];

  it('were written, and secrets were issued to scan for', () => {
    // Guards against a scan that passes because nothing was recorded.
    expect(logs.split('\n').length).toBeGreaterThan(300);
    expect(secrets.length).toBeGreaterThan(200);
    expect(secrets.some((s) => s.startsWith('wgc_'))).toBe(true);
    expect(secrets.some((s) => s.startsWith('wgk_'))).toBe(true);
    expect(secrets.some((s) => s.startsWith('wgt_'))).toBe(true);
    expect(secrets.some((s) => /^[A-Za-z0-9+/]{43}=$/.test(s))).toBe(true);
    if (BROWSER_MISSING === '' && process.env.LOG_SCAN_SIGN_IN_RAN === 'true') {
      // The sign-in spec (Chromium) recorded session ids.
      expect(secrets.some((s) => s.startsWith('wgs_'))).toBe(true);
      // The device login spec (Chromium answers the provider's device page) recorded handles.
      expect(secrets.some((s) => s.startsWith('wgd_'))).toBe(true);
    }
  });

  it('contain none of them', () => {
    const leaked = secrets.filter((s) => logs.includes(s));
    expect(leaked.map((s) => `${s.slice(0, 8)}… (${s.length} chars)`)).toEqual([]);
  });

  it('contain no JWT (ID token, access token) and no OAuth code or state in a query', () => {
    expect(logs.match(/eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g) ?? []).toEqual([]);
    expect(logs.match(/[?&](code|state|id_token|access_token)=[^&"\s]{8,}/g) ?? []).toEqual([]);
  });
});
