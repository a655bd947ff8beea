import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, rememberSecret, rememberSecretsIn, startTestApp, type TestApp } from '../support/app';
import { Api } from '../support/api';
import { BROWSER_MISSING, openBrowser, screenshot, type BrowserSession } from '../support/browser';
import { rowCounts } from '../support/db';
import { ARTIFACTS } from '../support/paths';

// The admin status page (/status) in real Chromium against the real app and Postgres: sign-in
// with the token kept in session storage only, the live peers table (search, filters, paging,
// auto-refresh — all answered by the server), and the admin actions behind confirmations.
const NET = 'statusnet';
const FILLER = 56; // more than one page (50) of peers

let t: TestApp;
let api: Api;
let b: BrowserSession;
let page: Page;
const peers: Record<string, { id: string; publicKey: string }> = {};

async function enroll(name: string, extra: Record<string, unknown> = {}) {
  const res = await api.enroll(NET, t.adminToken, { name, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  peers[name] = { id: res.body.peer.id, publicKey: res.body.peer.publicKey };
  return res.body.peer;
}

async function signIn(p: Page, token = t.adminToken): Promise<void> {
  await p.goto(`${t.url}/status`);
  await p.fill('#token', token);
  await p.click('#sign-in-button');
  await showNetwork(p);
}

/** The app has its default network too: pick this spec's one. */
async function showNetwork(p: Page): Promise<void> {
  await p.locator('#dashboard').waitFor();
  await p.selectOption('#network', NET);
  await p.locator('#peer-rows tr[data-peer-id]').first().waitFor();
}

const isOpen = async (dialog: string, p: Page = page) => (await p.locator(`${dialog}[open]`).count()) === 1;
const rows = (p: Page = page) => p.locator('#peer-rows tr[data-peer-id]');
const row = (name: string, p: Page = page) => p.locator('#peer-rows tr', { has: p.locator(`th:text-is("${name}")`) });
const names = async (p: Page = page) => rows(p).locator('th').allTextContents();

/** Waits until the table has been redrawn after `action` and shows exactly `expected` rows (by name). */
async function expectRows(expected: string[], p: Page = page): Promise<void> {
  await expect.poll(async () => (await names(p)).sort(), { timeout: 10_000 }).toEqual([...expected].sort());
}

describe.skipIf(BROWSER_MISSING)(`status page${BROWSER_MISSING}`, () => {
  beforeAll(async () => {
    t = await startTestApp();
    api = new Api(t);
    await api.createNetwork({ name: NET, ipv4Cidr: '10.44.0.0/24', ipv6Cidr: 'fd00:44::/64' });
    await enroll('alpha');
    await enroll('bravo');
    await enroll('charlie', { expiresAt: new Date(Date.now() + 3 * 86_400_000).toISOString() });
    await enroll('delta');
    await enroll('echo');
    await enroll('foxtrot');
    await enroll('golf');
    for (let i = 0; i < FILLER; i += 8) {
      await Promise.all(
        Array.from({ length: Math.min(8, FILLER - i) }, (_, j) => enroll(`host-${String(i + j).padStart(2, '0')}`)),
      );
    }
    // What the hub agent reports: alpha online now, bravo's last handshake ten minutes ago.
    const agent = await api.token('agent', { network: NET });
    const desired = await t.http.get(`/v1/networks/${NET}/hub/desired-state`).set(bearer(agent.token)).expect(200);
    const now = Math.floor(Date.now() / 1000);
    await t.http
      .post(`/v1/networks/${NET}/hub/status`)
      .set(bearer(agent.token))
      .send({
        appliedRevision: desired.body.revision,
        configSha256: 'c'.repeat(64),
        peers: [
          {
            publicKey: peers.alpha.publicKey,
            endpoint: '192.0.2.10:40000',
            latestHandshake: now - 5,
            rxBytes: 1_572_864,
            txBytes: 2048,
          },
          {
            publicKey: peers.bravo.publicKey,
            endpoint: '198.51.100.20:51000',
            latestHandshake: now - 600,
            rxBytes: 10,
            txBytes: 20,
          },
        ],
      })
      .expect(204);
    // Same config on two machines: what the duplicate detector leaves behind (see hub.e2e).
    await t.sql.query(`UPDATE peer SET flagged_at = now(), flag_reason = 'seen from two hosts in turn' WHERE id = $1`, [
      peers.golf.id,
    ]);
    b = await openBrowser();
    page = b.page;
  });
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  it('says in a sentence when the token is wrong or not an admin token', async () => {
    await page.goto(`${t.url}/status`);
    const wrong = `wgt_${'x'.repeat(43)}`;
    await page.fill('#token', wrong);
    await page.click('#sign-in-button');
    await expect.poll(() => page.locator('#token-error').textContent()).toContain('was not accepted');
    expect(await page.locator('#token').getAttribute('aria-invalid')).toBe('true');
    const requester = await api.token('requester');
    await page.fill('#token', requester.token);
    await page.click('#sign-in-button');
    await expect.poll(() => page.locator('#token-error').textContent()).toContain('not an admin token');
    expect(await page.locator('#dashboard').isHidden()).toBe(true);
    expect(await page.evaluate(`sessionStorage.length`)).toBe(0);
  });

  it('signs in with the keyboard only; the token is in session storage only', async () => {
    await page.goto(`${t.url}/status`);
    await page.locator('#token').waitFor();
    // The page puts the focus in the token field; Tab reaches the button, Enter signs in.
    expect(await page.evaluate(`document.activeElement?.id`)).toBe('token');
    await page.keyboard.type(t.adminToken);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(`document.activeElement?.id`)).toBe('sign-in-button');
    await page.keyboard.press('Enter');
    await showNetwork(page);
    expect(await page.evaluate(`sessionStorage.getItem('wg-enroll.status.token')`)).toBe(t.adminToken);
    expect(await page.evaluate(`localStorage.length`)).toBe(0);
    expect(await b.context.cookies()).toEqual([]);
    expect(await page.evaluate(`document.cookie`)).toBe('');
    expect(b.requests.filter((r) => r.url.includes(t.adminToken))).toEqual([]);
    expect(page.url()).not.toContain(t.adminToken);
    // It went in the Authorization header instead.
    expect(b.requests.some((r) => r.headers.authorization === `Bearer ${t.adminToken}`)).toBe(true);
  });

  it('shows hub health, pool use and the peers with their state, handshake, endpoint and bytes', async () => {
    const hub = await page.locator('#hub').textContent();
    expect(hub).toContain('healthy');
    expect(hub).not.toContain('unhealthy');
    expect(hub).toMatch(/In sync\s*yes/);
    const pool = await page.locator('#pool').textContent();
    expect(pool).toContain('Size253');
    expect(pool).toMatch(/Leased\d+ \(\d+ %\)/);
    const alpha = await row('alpha').locator('td').allTextContents();
    expect(alpha[1]).toBe('online');
    expect(alpha[2]).toMatch(/^\d+ s ago$/);
    expect(alpha[3]).toBe('192.0.2.10:40000');
    expect(alpha[4]).toBe('1.5 MiB / 2.0 KiB');
    const bravo = await row('bravo').locator('td').allTextContents();
    expect(bravo[1]).toBe('offline');
    expect(bravo[2]).toBe('10 min ago');
    expect(bravo[3]).toBe('198.51.100.20:51000');
    expect(await row('delta').locator('td').nth(1).textContent()).toBe('never connected');
    expect(await row('golf').locator('[data-column=flags]').textContent()).toContain('duplicate config');
    expect(await row('charlie').locator('[data-column=flags]').textContent()).toMatch(/expires in [23] d/);
    expect(await rows().count()).toBe(50);
    await screenshot(page, 'status');
    // The first screenful too (docs/screenshots/status.png is a copy of it).
    await page.screenshot({ path: join(ARTIFACTS, 'screenshots', 'status-viewport.png') });
  });

  it('says "file written, not applied" and why, when the agent could not apply it; and when wg refused it', async () => {
    const agent = await api.token('agent', { network: NET });
    const desired = await t.http.get(`/v1/networks/${NET}/hub/desired-state`).set(bearer(agent.token)).expect(200);
    const report = (extra: Record<string, unknown>) =>
      t.http
        .post(`/v1/networks/${NET}/hub/status`)
        .set(bearer(agent.token))
        .send({ appliedRevision: desired.body.revision, configSha256: 'c'.repeat(64), peers: [], ...extra })
        .expect(204);
    const missing = 'the WireGuard interface "wg0" does not exist: create it once';
    await report({ notApplied: missing });
    await expect
      .poll(() => page.locator('#hub-apply').textContent(), { timeout: 15_000 })
      .toBe(`no — file written, not applied ${missing}`);
    expect(await page.locator('#hub').textContent()).not.toMatch(/In sync\s*yes/);
    await report({ applyError: 'wg syncconf: Line unrecognized' });
    await expect
      .poll(() => page.locator('#hub-apply').textContent(), { timeout: 15_000 })
      .toBe('no — apply failed wg syncconf: Line unrecognized');
    await report({});
    await expect.poll(() => page.locator('#hub-apply').textContent(), { timeout: 15_000 }).toBe('yes');
  });

  it('searches through the server (debounced) and narrows the table', async () => {
    const before = b.requests.length;
    await page.locator('#search').pressSequentially('ALPH', { delay: 30 });
    await expectRows(['alpha']);
    const searches = b.requests.slice(before).filter((r) => r.url.includes('/status?'));
    expect(searches.some((r) => new URL(r.url).searchParams.get('name') === 'ALPH')).toBe(true);
    // Debounced: not one request per key press.
    expect(searches.filter((r) => new URL(r.url).searchParams.has('name')).length).toBeLessThan(4);
    await page.fill('#search', '');
    await expect.poll(() => rows().count()).toBe(50);
  });

  it('filters online/offline, flagged and expiring soon on the server', async () => {
    const statusQuery = () => {
      const last = b.requests.filter((r) => r.url.includes('/status?')).pop()!;
      return Object.fromEntries(new URL(last.url).searchParams);
    };
    await page.selectOption('#state', 'true');
    await expectRows(['alpha']);
    expect(statusQuery()).toMatchObject({ online: 'true' });
    await page.selectOption('#state', 'false');
    await expect.poll(async () => (await names()).includes('alpha')).toBe(false);
    expect(await names()).toContain('bravo');
    await page.selectOption('#state', '');
    await page.check('#flagged');
    await expectRows(['golf']);
    expect(statusQuery()).toMatchObject({ flagged: 'true' });
    await page.uncheck('#flagged');
    await page.check('#expiring');
    await expectRows(['charlie']);
    expect(statusQuery()).toMatchObject({ expiring: 'true' });
    await page.uncheck('#expiring');
    await expect.poll(() => rows().count()).toBe(50);
  });

  it('pages through more than one page of peers with next and previous', async () => {
    const first = await names();
    expect(await page.locator('#prev').isDisabled()).toBe(true);
    await page.click('#next');
    await expect.poll(() => page.locator('#page-label').textContent()).toBe('Page 2');
    await expect.poll(() => rows().count()).toBe(7 + FILLER - 50);
    const second = await names();
    expect(second.filter((n) => first.includes(n))).toEqual([]);
    expect(await page.locator('#next').isDisabled()).toBe(true);
    const paged = b.requests.filter((r) => r.url.includes('/status?')).pop()!;
    expect(new URL(paged.url).searchParams.get('cursor')).toBeTruthy();
    await page.click('#prev');
    await expect.poll(() => page.locator('#page-label').textContent()).toBe('Page 1');
    expect(await names()).toEqual(first);
  });

  it('refreshes by itself: a change made through the API appears without a reload, search and focus kept', async () => {
    await page.evaluate('window.marker = 42');
    await page.fill('#search', 'late-comer');
    await expectRows([]);
    expect(await page.locator('#peer-rows').textContent()).toContain('No peer matches.');
    await page.focus('#search');
    await enroll('late-comer');
    await expect.poll(() => names(), { timeout: 15_000 }).toEqual(['late-comer']);
    expect(await page.evaluate('window.marker')).toBe(42);
    expect(await page.inputValue('#search')).toBe('late-comer');
    expect(await page.evaluate(`document.activeElement?.id`)).toBe('search');
    await page.fill('#search', '');
    await expect.poll(() => rows().count()).toBe(50);
  });

  it('creates an enrollment key after a confirmation and shows its secret once', async () => {
    const counts = await rowCounts(t.sql);
    await page.click('#new-key');
    expect(await isOpen('#key-dialog')).toBe(true);
    await page.click('#key-cancel');
    expect(await isOpen('#key-dialog')).toBe(false);
    expect(await rowCounts(t.sql)).toEqual(counts);

    await page.click('#new-key');
    await page.fill('#key-name', 'front desk');
    await page.fill('#key-uses', '2');
    await page.click('#key-confirm');
    await page.locator('#secret-dialog[open]').waitFor();
    const secret = await page.inputValue('#secret-value');
    rememberSecret(secret);
    expect(secret).toMatch(/^wgk_/);
    expect(await page.locator('#secret-text').textContent()).toContain('shown only this once');
    expect(b.requests.filter((r) => r.url.includes(secret))).toEqual([]);
    await page.click('#secret-copy');
    await expect.poll(() => page.locator('#secret-copied').textContent()).not.toBe('');
    await page.click('#secret-done');
    expect(await isOpen('#secret-dialog')).toBe(false);
    expect(await page.inputValue('#secret-value')).toBe('');
    expect(await page.content()).not.toContain(secret);
    expect(await page.evaluate(`JSON.stringify({ ...sessionStorage, ...localStorage })`)).not.toContain(secret);
    // The key works: it enrolls a device through the API.
    const enrolled = await api.enroll(NET, secret, { name: 'with-web-key' });
    expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(201);
    rememberSecretsIn(enrolled.body);
  });

  it('shows an API refusal in the key dialog as a sentence next to the field', async () => {
    await page.click('#new-key');
    await page.fill('#key-uses', '0');
    await page.click('#key-confirm');
    await expect.poll(() => page.locator('#key-uses-error').textContent()).toContain('number of uses is not accepted');
    expect(await page.locator('#key-uses').getAttribute('aria-invalid')).toBe('true');
    await page.click('#key-cancel');
  });

  it('revokes a peer only after confirmation: cancel changes nothing, confirm revokes', async () => {
    const counts = await rowCounts(t.sql);
    await row('delta').getByRole('button', { name: 'Revoke delta' }).click();
    await page.locator('#confirm-dialog[open]').waitFor();
    expect(await page.locator('#confirm-title').textContent()).toBe('Revoke delta?');
    await page.click('#confirm-cancel');
    expect(await rowCounts(t.sql)).toEqual(counts);
    const still = await t.http.get(`/v1/peers/${peers.delta.id}`).set(bearer(t.adminToken)).expect(200);
    expect(still.body.status).toBe('active');

    await row('delta').getByRole('button', { name: 'Revoke delta' }).click();
    await page.click('#confirm-ok');
    await expect.poll(async () => (await names()).includes('delta')).toBe(false);
    const revoked = await t.http.get(`/v1/peers/${peers.delta.id}`).set(bearer(t.adminToken)).expect(200);
    expect(revoked.body.status).toBe('revoked');
  });

  it('reissues a peer as a one-time claim link that serves the new config', async () => {
    await row('echo').getByRole('button', { name: 'Reissue echo' }).click();
    await page.locator('#confirm-dialog[open]').waitFor();
    expect(await page.locator('#confirm-text').textContent()).toContain('never reaches this browser');
    await page.click('#confirm-ok');
    await page.locator('#secret-dialog[open]').waitFor();
    const link = await page.inputValue('#secret-value');
    rememberSecret(link.split('/').pop());
    expect(link).toMatch(new RegExp(`^${t.url}/claim/wgc_`));
    const reissue = b.requests.filter((r) => r.url.endsWith(`/v1/peers/${peers.echo.id}/reissue`)).pop()!;
    expect(JSON.parse(reissue.body!)).toEqual({ delivery: 'link' });
    await page.click('#secret-done');
    const claimed = await api.claim(link);
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
    expect(claimed.body.config.text).toContain('PrivateKey = ');
    expect(claimed.body.peer.publicKey).not.toBe(peers.echo.publicKey);
  });

  it('says how many live peers got a config with older settings, and marks them, after a settings change', async () => {
    await expect.poll(() => page.locator('#older-settings').textContent()).toBe('none');
    const patched = await t.http
      .patch(`/v1/networks/${NET}`)
      .set(bearer(t.adminToken))
      .send({ endpoint: 'vpn.example.org:51820', mtu: 1380 });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const status = async () =>
      (await t.http.get(`/v1/networks/${NET}/status`).set(bearer(t.adminToken)).expect(200)).body;
    const active: number = (await status()).peers.active;
    // The page refreshes by itself: the count and the marks appear without a reload.
    await expect
      .poll(() => page.locator('#older-settings').textContent(), { timeout: 15_000 })
      .toBe(`${active} of ${active} got a config before the settings changed: reissue them to hand out the new ones`);
    expect(await row('alpha').locator('[data-column=flags]').textContent()).toContain('older settings');
    expect(await row('alpha').locator('[data-column=flags] [title]').last().getAttribute('title')).toMatch(/reissue/);
    // A reissue serves the new settings: that peer leaves the count and loses its mark.
    const re = await t.http.post(`/v1/peers/${peers.alpha.id}/reissue`).set(bearer(t.adminToken)).send({});
    expect(re.status).toBe(201);
    rememberSecretsIn(re.body);
    expect(re.body.config.text).toContain('Endpoint = vpn.example.org:51820');
    peers.alpha.publicKey = re.body.peer.publicKey;
    await expect
      .poll(() => page.locator('#older-settings').textContent(), { timeout: 15_000 })
      .toMatch(new RegExp(`^${active - 1} of ${active} `));
    expect(await row('alpha').locator('[data-column=flags]').textContent()).not.toContain('older settings');
    expect(await row('bravo').locator('[data-column=flags]').textContent()).toContain('older settings');
    await screenshot(page, 'status-older-settings');
  });

  it('runs an action with the keyboard only (revoke: Escape cancels, confirm revokes)', async () => {
    await page.fill('#search', 'foxtrot');
    await expectRows(['foxtrot']);
    await page.focus('#search');
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(`document.activeElement?.getAttribute('aria-label')`)) === 'Revoke foxtrot') {
        break;
      }
    }
    expect(await page.evaluate(`document.activeElement?.getAttribute('aria-label')`)).toBe('Revoke foxtrot');
    await page.keyboard.press('Enter');
    await page.locator('#confirm-dialog[open]').waitFor();
    expect(await page.evaluate(`document.activeElement?.id`)).toBe('confirm-cancel');
    await page.keyboard.press('Escape');
    expect(await isOpen('#confirm-dialog')).toBe(false);
    expect(await page.evaluate(`document.activeElement?.getAttribute('aria-label')`)).toBe('Revoke foxtrot');
    expect((await t.http.get(`/v1/peers/${peers.foxtrot.id}`).set(bearer(t.adminToken))).body.status).toBe('active');
    await page.keyboard.press('Enter');
    await page.locator('#confirm-dialog[open]').waitFor();
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(`document.activeElement?.id`)).toBe('confirm-ok');
    await page.keyboard.press('Enter');
    await expectRows([]);
    expect((await t.http.get(`/v1/peers/${peers.foxtrot.id}`).set(bearer(t.adminToken))).body.status).toBe('revoked');
    await page.fill('#search', '');
  });

  it('signs out: the token leaves the session storage', async () => {
    await page.click('#sign-out');
    expect(await page.evaluate(`sessionStorage.length`)).toBe(0);
    expect(await page.locator('#sign-in-section').isVisible()).toBe(true);
    expect(await page.locator('#dashboard').isHidden()).toBe(true);
    await page.reload();
    await page.locator('#token').waitFor();
    expect(await page.locator('#dashboard').isHidden()).toBe(true);
  });

  it('never put a secret in a URL, and reported no console error or CSP violation', () => {
    for (const r of b.requests) {
      expect(r.url).not.toMatch(/wg[tkc]_[A-Za-z0-9_-]{20,}/);
    }
    // Chromium logs the refusals the tests provoke (sign-in 401 and 403, the key dialog's 400)
    // as failed loads: expected.
    const refused = /^Failed to load resource: the server responded with a status of 40[013] /;
    expect(
      b.consoleErrors.filter((e) => !refused.test(e)),
      JSON.stringify(b.consoleErrors),
    ).toEqual([]);
    expect(b.consoleErrors.length).toBeLessThanOrEqual(3);
  });

  it('is readable at 375 px: no horizontal overflow of the page (the table scrolls in its box)', async () => {
    const phone = await openBrowser({ width: 375, height: 800 });
    try {
      await signIn(phone.page);
      const overflow = (await phone.page.evaluate(`({
        page: document.documentElement.scrollWidth,
        viewport: document.documentElement.clientWidth,
        tableBox: document.querySelector('.table-scroll').clientWidth,
        table: document.querySelector('#peers').scrollWidth,
      })`)) as { page: number; viewport: number; tableBox: number; table: number };
      expect(overflow.page).toBeLessThanOrEqual(overflow.viewport);
      expect(overflow.tableBox).toBeLessThanOrEqual(overflow.viewport);
      await phone.page.click('#new-key');
      const dialog = await phone.page.locator('#key-dialog').boundingBox();
      expect(dialog!.x).toBeGreaterThanOrEqual(0);
      expect(dialog!.x + dialog!.width).toBeLessThanOrEqual(375);
      await phone.page.click('#key-cancel');
      await screenshot(phone.page, 'status-phone');
      await phone.page.screenshot({ path: join(ARTIFACTS, 'screenshots', 'status-phone-viewport.png') });
      expect(phone.consoleErrors).toEqual([]);
    } finally {
      await phone.close();
    }
  });
});
