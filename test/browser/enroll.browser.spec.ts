import { x25519 } from '@noble/curves/ed25519.js';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, expectProblem, type EnrolledByLink } from '../support/api';
import { bearer, rememberSecret, rememberSecretsIn, startTestApp, type TestApp } from '../support/app';
import { BROWSER_MISSING, openBrowser, screenshot, type BrowserSession } from '../support/browser';
import { rowCounts } from '../support/db';
import { freshWindow } from '../support/limits';

// The enrollment page (/) and the claim page (/claim/{token}) in real Chromium against the real
// app and Postgres: the private key is made in the page and never leaves it; the config shown,
// downloaded and drawn as a QR code is one and the same; every problem lands next to its field.

const WG_QUICK = ['/usr/bin/wg-quick', '/usr/sbin/wg-quick'].find((p) => existsSync(p));
const WG_FILE_NAME = /^[a-zA-Z0-9_=+.-]{1,15}\.conf$/;

function publicKeyOf(privateKey: string): string {
  return Buffer.from(x25519.getPublicKey(Buffer.from(privateKey, 'base64'))).toString('base64');
}

function privateKeyIn(config: string): string {
  const match = /^PrivateKey = ([A-Za-z0-9+/]{43}=)$/m.exec(config);
  expect(match, config).not.toBeNull();
  rememberSecret(match![1]);
  rememberSecretsIn(config);
  return match![1];
}

/** Everything the browser sent: URLs, header values and bodies. */
function sentText(session: BrowserSession): string {
  return session.requests.map((r) => `${r.url}\n${JSON.stringify(r.headers)}\n${r.body ?? ''}`).join('\n');
}

async function storedText(session: BrowserSession): Promise<string> {
  // (a string: this file is type-checked without the DOM library)
  const storage = await session.page.evaluate<string>(
    'JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie })',
  );
  return `${storage}\n${JSON.stringify(await session.context.cookies())}`;
}

function focusedId(page: Page): Promise<string | undefined> {
  return page.evaluate<string | undefined>('document.activeElement?.id');
}

/** Decodes the QR code as the page draws it on screen (a screenshot of the canvas). */
async function decodeQr(page: Page): Promise<string | null> {
  const png = PNG.sync.read(await page.locator('#config-qr').screenshot());
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
}

describe.skipIf(BROWSER_MISSING)(`web pages: enrollment and claim${BROWSER_MISSING}`, () => {
  let t: TestApp;
  let api: Api;
  let browser: BrowserSession;

  beforeAll(async () => {
    t = await startTestApp();
    api = new Api(t);
    await api.createNetwork({ name: 'office', ipv4Cidr: '10.80.0.0/24', ipv6Cidr: 'fd00:80::/64' });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function peerNamed(network: string, name: string): Promise<{ id: string; publicKey: string }> {
    const list = await t.http.get(`/v1/networks/${network}/peers?name=${name}`).set(bearer(t.adminToken));
    const found = list.body.items.filter((p: { name: string }) => p.name === name);
    expect(found).toHaveLength(1);
    return found[0];
  }

  async function fillForm(page: Page, fields: { credential: string; name: string; network?: string }) {
    await page.goto(`${t.url}/`);
    await page.fill('#credential', fields.credential);
    await page.fill('#name', fields.name);
    if (fields.network !== undefined) {
      await page.fill('#network', fields.network);
    }
    await page.click('#enroll-submit');
  }

  it('enrolls through the form: the shown key matches the peer, and it never left the page', async () => {
    const key = await api.enrollmentKey('office', { maxUses: 10 });
    const { page } = browser;
    browser.requests.length = 0;
    await fillForm(page, { credential: key, name: 'alice-laptop' });
    await page.locator('#config-text').waitFor();
    const shown = (await page.locator('#config-text').textContent()) ?? '';
    const privateKey = privateKeyIn(shown);
    expect(shown).not.toContain('<the private key');
    expect(shown.match(/^PrivateKey = /gm)).toHaveLength(1);
    // How to check the tunnel: the hub's addresses, on the page and in the file.
    expect(await page.locator('#config-check').textContent()).toBe(
      'Check the tunnel once it is up: ping 10.80.0.1 (the hub: 10.80.0.1, fd00:80::1).',
    );
    expect(shown).toContain('# The hub in the tunnel: 10.80.0.1, fd00:80::1.');
    // Made in the page and clamped as `wg genkey` does.
    const bytes = Buffer.from(privateKey, 'base64');
    expect([bytes[0] & 7, bytes[31] & 0xc0]).toEqual([0, 0x40]);
    // The network came from the key (GET /v1/whoami), the person typed none.
    expect(await page.inputValue('#network')).toBe('office');

    const peer = await peerNamed('office', 'alice-laptop');
    const viaApi = await t.http.get(`/v1/peers/${peer.id}`).set(bearer(t.adminToken)).expect(200);
    const db = await t.sql.query('SELECT public_key, private_key_enc IS NULL AS no_key FROM peer WHERE id = $1', [
      peer.id,
    ]);
    expect(publicKeyOf(privateKey)).toBe(viaApi.body.publicKey);
    expect(publicKeyOf(privateKey)).toBe(db.rows[0].public_key);
    expect(db.rows[0].no_key).toBe(true);

    const enrollRequest = browser.requests.find(
      (r) => r.method === 'POST' && r.url.endsWith('/v1/networks/office/peers'),
    );
    expect(JSON.parse(enrollRequest?.body ?? '{}')).toEqual({
      name: 'alice-laptop',
      publicKey: viaApi.body.publicKey,
      delivery: 'inline',
    });
    expect(sentText(browser)).not.toContain(privateKey);
    expect(await storedText(browser)).not.toContain(privateKey);
    expect(browser.requests.every((r) => !r.url.includes('wgk_'))).toBe(true);

    // The plain warning and the QR code of exactly this text.
    await expect(page.locator('#config-warning').textContent()).resolves.toMatch(
      /Shown once\..*One machine only\..*new configuration for each further machine/s,
    );
    expect(await decodeQr(page)).toBe(shown);

    // The download is the same text under a name wg-quick accepts, and wg-quick parses it.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#config-download')]);
    expect(download.suggestedFilename()).toMatch(WG_FILE_NAME);
    const file = readFileSync((await download.path())!, 'utf8');
    expect(file).toBe(shown);
    if (WG_QUICK) {
      const dir = mkdtempSync(join(tmpdir(), 'wg-enroll-dl-'));
      try {
        const path = join(dir, download.suggestedFilename());
        copyFileSync((await download.path())!, path);
        const stripped = execFileSync(WG_QUICK, ['strip', path]).toString();
        expect(stripped).toContain(`PrivateKey = ${privateKey}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    await screenshot(page, 'enroll-config');

    // "Done" clears the config (text and QR) from the page and brings the form back.
    await page.click('#config-done');
    await page.locator('#enroll-form').waitFor();
    expect(await page.content()).not.toContain(privateKey);
    expect(await page.locator('#config-qr').count()).toBe(0);
    expect(await focusedId(page)).toBe('name');
    expect(browser.consoleErrors).toEqual([]);
  });

  it('can be filled and submitted with the keyboard only, and moves focus to the result', async () => {
    const key = await api.enrollmentKey('office');
    const { page } = browser;
    await page.goto(`${t.url}/`);
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('credential');
    await page.keyboard.type(key);
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('name');
    await page.keyboard.type('keyboard-only');
    await page.keyboard.press('Enter');
    await page.locator('#config-text').waitFor();
    expect(await focusedId(page)).toBe('config-heading');
    privateKeyIn((await page.locator('#config-text').textContent()) ?? '');
    await page.keyboard.press('Tab'); // warning → download
    expect(await focusedId(page)).toBe('config-download');
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('config-done');
    await page.keyboard.press('Enter');
    await page.locator('#enroll-form').waitFor();
  });

  it('fits a 375 px phone screen: no horizontal overflow on the form or the config', async () => {
    const phone = await openBrowser({ width: 375, height: 812 });
    try {
      const key = await api.enrollmentKey('office');
      await phone.page.goto(`${t.url}/`);
      const width = () => phone.page.evaluate<number>('document.scrollingElement.scrollWidth');
      expect(await width()).toBeLessThanOrEqual(375);
      await phone.page.fill('#credential', key);
      await phone.page.fill('#name', 'phone-with-a-rather-long-device-name-to-wrap');
      await phone.page.click('#enroll-submit');
      await phone.page.locator('#config-text').waitFor();
      privateKeyIn((await phone.page.locator('#config-text').textContent()) ?? '');
      expect(await width()).toBeLessThanOrEqual(375);
      expect(await decodeQr(phone.page)).toBe(await phone.page.locator('#config-text').textContent());
      await screenshot(phone.page, 'enroll-config-phone');
      expect(phone.consoleErrors).toEqual([]);
    } finally {
      await phone.close();
    }
  });

  describe('every problem is a sentence next to its field and creates nothing', () => {
    const cases: {
      title: string;
      setup: () => Promise<{ credential: string; name?: string; network?: string }>;
      field: 'credential' | 'name' | 'network' | 'form';
      sentence: RegExp;
    }[] = [
      {
        title: 'spent enrollment key',
        setup: async () => {
          const key = await api.enrollmentKey('office', { maxUses: 1 });
          expect((await api.enroll('office', key, { name: 'uses-the-only-use' })).status).toBe(201);
          return { credential: key };
        },
        field: 'credential',
        sentence: /used as often as it allows\. Ask your administrator for a new one\./,
      },
      {
        title: 'expired enrollment key',
        setup: async () => {
          const key = await api.enrollmentKey('office', { expiresAt: new Date(Date.now() + 1500).toISOString() });
          await new Promise((r) => setTimeout(r, 1700));
          return { credential: key };
        },
        field: 'credential',
        sentence: /This enrollment key has expired\./,
      },
      {
        title: 'revoked enrollment key',
        setup: async () => {
          const created = await t.http
            .post('/v1/networks/office/enrollment-keys')
            .set(bearer(t.adminToken))
            .send({})
            .expect(201);
          rememberSecretsIn(created.body);
          await t.http
            .delete(`/v1/networks/office/enrollment-keys/${created.body.id}`)
            .set(bearer(t.adminToken))
            .expect((res) => expect(res.status).toBeLessThan(300));
          return { credential: created.body.key };
        },
        field: 'credential',
        sentence: /This enrollment key was revoked\./,
      },
      {
        title: 'unknown credential',
        setup: () => Promise.resolve({ credential: `wgk_${'x'.repeat(43)}` }),
        field: 'credential',
        sentence: /not known, or it has expired or been revoked/,
      },
      {
        title: 'agent token (may not enroll)',
        setup: async () => ({ credential: (await api.token('agent', { network: 'office' })).token }),
        field: 'credential',
        sentence: /may not enroll devices/,
      },
      {
        title: 'pool exhausted',
        setup: async () => {
          await api.createNetwork({ name: 'full', ipv4Cidr: '10.81.0.0/30' });
          const key = await api.enrollmentKey('full', { maxUses: 5 });
          expect((await api.enroll('full', key, { name: 'the-only-host' })).status).toBe(201);
          return { credential: key };
        },
        field: 'network',
        sentence: /“full” has no free addresses left/,
      },
      {
        title: 'hub not registered',
        setup: async () => {
          await api.createNetworkWithoutHub({ name: 'nohub', ipv4Cidr: '10.82.0.0/24' });
          return { credential: await api.enrollmentKey('nohub') };
        },
        field: 'network',
        sentence: /hub of this network is not set up yet/,
      },
      {
        title: 'unknown network (admin token)',
        setup: () => Promise.resolve({ credential: t.adminToken, network: 'no-such-network' }),
        field: 'network',
        sentence: /no network “no-such-network” that your credential may use/,
      },
      {
        title: 'network not chosen (token for several networks)',
        setup: () => Promise.resolve({ credential: t.adminToken }),
        field: 'network',
        sentence: /Choose the network to join\./,
      },
      {
        title: 'invalid device name (server validation)',
        setup: async () => ({ credential: await api.enrollmentKey('office'), name: 'n'.repeat(65) }),
        field: 'name',
        sentence: /^The device name must be at most 64 characters\.$/,
      },
      {
        title: 'empty device name (checked in the page)',
        setup: async () => ({ credential: await api.enrollmentKey('office'), name: '   ' }),
        field: 'name',
        sentence: /Enter a name for this device\./,
      },
    ];

    it.each(cases)('$title', async ({ setup, field, sentence }) => {
      const input = await setup();
      const { page } = browser;
      const before = await rowCounts(t.sql);
      await fillForm(page, { name: 'problem-device', ...input });
      const error = page.locator(`#${field}-error`);
      await error.waitFor();
      expect(await error.textContent()).toMatch(sentence);
      if (field !== 'form') {
        expect(await page.getAttribute(`#${field}`, 'aria-invalid')).toBe('true');
        expect(await focusedId(page)).toBe(field);
      }
      expect(await page.locator('#config-text').count()).toBe(0);
      expect(await rowCounts(t.sql)).toEqual(before);
    });

    it('the service unreachable: a form-level sentence, nothing created', async () => {
      const key = await api.enrollmentKey('office');
      const { page, context } = browser;
      const before = await rowCounts(t.sql);
      await page.goto(`${t.url}/`);
      await page.fill('#credential', key);
      await page.fill('#name', 'offline-device');
      await context.setOffline(true);
      try {
        await page.click('#enroll-submit');
        await page.locator('#form-error').waitFor();
        expect(await page.locator('#form-error').textContent()).toMatch(/cannot be reached/);
      } finally {
        await context.setOffline(false);
      }
      expect(await rowCounts(t.sql)).toEqual(before);
    });
  });

  it('rate limited: a form-level sentence, nothing created', async () => {
    const limited = await startTestApp({ RATE_LIMIT_PER_MINUTE: '3' });
    const session = await openBrowser();
    try {
      await freshWindow(limited.sql, 20);
      await new Api(limited).createNetwork({ name: 'office', ipv4Cidr: '10.83.0.0/24' });
      const key = await new Api(limited).enrollmentKey('office');
      const before = await rowCounts(limited.sql);
      await session.page.goto(`${limited.url}/`);
      await session.page.fill('#credential', key);
      // Three requests allowed a minute: two above, the page's GET /v1/whoami; the enrollment is the fourth.
      await session.page.fill('#name', 'too-fast');
      await session.page.click('#enroll-submit');
      await session.page.locator('#form-error').waitFor();
      expect(await session.page.locator('#form-error').textContent()).toMatch(/Too many attempts/);
      expect(await rowCounts(limited.sql)).toEqual(before);
    } finally {
      await session.close();
      await limited.close();
    }
  });

  describe('claim page', () => {
    it('GET changes nothing; one click serves the config; a second visit explains; the API answers 410', async () => {
      const enrolled = await api.enroll('office', t.adminToken, { name: 'bob-phone', delivery: 'link' });
      expect(enrolled.status).toBe(201);
      const { peer, claim } = enrolled.body as EnrolledByLink;
      const path = new URL(claim.url).pathname;
      const servedAt = async () =>
        (await t.sql.query('SELECT served_at FROM peer WHERE id = $1', [peer.id])).rows[0].served_at as Date | null;

      const before = await rowCounts(t.sql);
      for (let i = 0; i < 2; i++) {
        const plain = await t.http.get(path);
        expect(plain.status).toBe(200);
        expect(plain.headers['referrer-policy']).toBe('no-referrer');
        expect(plain.headers['content-security-policy']).toContain("script-src 'self'");
        expect(plain.headers['content-security-policy']).not.toContain('unsafe-inline');
        expect(plain.text).not.toMatch(/<script(?![^>]*src="\/assets\/claim\.js")/);
      }
      const { page } = browser;
      browser.requests.length = 0;
      browser.consoleErrors.length = 0;
      const response = await page.goto(claim.url);
      expect(response?.status()).toBe(200);
      await page.waitForLoadState('networkidle');
      expect(await rowCounts(t.sql)).toEqual(before);
      expect(await servedAt()).toBeNull();
      await screenshot(page, 'claim');

      await page.click('#claim-submit');
      await page.locator('#config-text').waitFor();
      const shown = (await page.locator('#config-text').textContent()) ?? '';
      const privateKey = privateKeyIn(shown);
      const viaApi = await t.http.get(`/v1/peers/${peer.id}`).set(bearer(t.adminToken)).expect(200);
      expect(publicKeyOf(privateKey)).toBe(peer.publicKey);
      expect(publicKeyOf(privateKey)).toBe(viaApi.body.publicKey);
      expect(await servedAt()).not.toBeNull();
      expect(await decodeQr(page)).toBe(shown);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#config-download')]);
      expect(download.suggestedFilename()).toMatch(WG_FILE_NAME);
      expect(readFileSync((await download.path())!, 'utf8')).toBe(shown);
      await screenshot(page, 'claim-config');

      // The link is the credential: nothing the page loaded carried it in a Referer, and every
      // request went to this origin only.
      const origin = new URL(t.url).origin;
      expect(browser.requests.filter((r) => !r.url.startsWith(origin) && !r.url.startsWith('blob:'))).toEqual([]);
      expect(browser.requests.filter((r) => Boolean(r.headers.referer))).toEqual([]);
      expect(sentText(browser)).not.toContain(privateKey);
      expect(await storedText(browser)).not.toContain(privateKey);

      const again = await page.goto(claim.url);
      expect(again?.status()).toBe(410);
      const text = (await page.locator('main').textContent()) ?? '';
      expect(text).toMatch(/already downloaded on \d{1,2} \w+ \d{4}(,| at) \d{2}:\d{2} UTC/);
      expect(text).toMatch(/Ask for a reissue/);
      expect(await page.getAttribute('#served-at', 'datetime')).toBe((await servedAt())!.toISOString());
      await screenshot(page, 'claim-served');
      expectProblem(await api.claim(claim.url), 410, 'config-already-served');
      expect(browser.consoleErrors.filter((e) => !/410/.test(e))).toEqual([]);
    });

    it('served elsewhere between opening and clicking: the click explains when, and to ask for a reissue', async () => {
      const enrolled = await api.enroll('office', t.adminToken, { name: 'raced', delivery: 'link' });
      const { claim } = enrolled.body as EnrolledByLink;
      const { page } = browser;
      await page.goto(claim.url);
      expect((await api.claim(claim.url)).status).toBe(200); // someone else got there first
      await page.click('#claim-submit');
      const error = page.locator('#claim-error');
      await error.waitFor();
      expect(await error.textContent()).toMatch(/already downloaded on .*\d{4}.*ask them for a reissue/);
      expect(await focusedId(page)).toBe('claim-error');
      expect(await page.locator('#config-text').count()).toBe(0);
    });

    it('works without JavaScript: the button posts the form and the browser downloads the file', async () => {
      const enrolled = await api.enroll('office', t.adminToken, { name: 'no-js', delivery: 'link' });
      const { peer, claim } = enrolled.body as EnrolledByLink;
      const context = await browser.browser.newContext({ javaScriptEnabled: false, acceptDownloads: true });
      try {
        const page = await context.newPage();
        await page.goto(claim.url);
        const [download] = await Promise.all([page.waitForEvent('download'), page.click('#claim-submit')]);
        expect(download.suggestedFilename()).toMatch(WG_FILE_NAME);
        const file = readFileSync((await download.path())!, 'utf8');
        expect(publicKeyOf(privateKeyIn(file))).toBe(peer.publicKey);
      } finally {
        await context.close();
      }
    });
  });
});
