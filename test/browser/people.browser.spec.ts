import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/database/embedded-postgres';
import { Api } from '../support/api';
import { bearer, rememberSecretsIn, startTestApp, type TestApp } from '../support/app';
import { BROWSER_MISSING, openBrowser, screenshot, type BrowserSession } from '../support/browser';
import { startTestProvider, type TestProvider } from '../support/oidc-op';
import { session, signIn, signInEnv, stateChange, withCookie, type SignedIn } from './sign-in';

// What signed-in people do with their devices and what admins see of people, on the real
// provider, app, Postgres and Chromium: renaming on "my devices" (owner-checked, the served file
// name kept), owners shown by e-mail and name, the people page and disabling a person from it,
// and the idle timeout (SESSION_IDLE_TIMEOUT=1m here; time moves by moving the stored last-seen
// time back, not by fake clocks).

const IDLE_MS = 60_000;
const MAX_AGE_MS = 10 * 60_000;

describe.skipIf(BROWSER_MISSING)(`people and their devices${BROWSER_MISSING}`, () => {
  let t: TestApp;
  let api: Api;
  let op: TestProvider;
  let browser: BrowserSession;
  let alice: SignedIn;

  beforeAll(async () => {
    const port = await freePort();
    op = await startTestProvider(`http://127.0.0.1:${port}`);
    t = await startTestApp({
      PORT: String(port),
      ...signInEnv(op),
      SESSION_IDLE_TIMEOUT: '1m',
      SESSION_MAX_AGE: '10m',
    });
    api = new Api(t);
    await api.createNetwork({ name: 'lab', ipv4Cidr: '10.83.0.0/24', selfService: true, devicesPerUser: 3 } as never);
    browser = await openBrowser();
    alice = await session(browser.browser, t, 'alice');
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await op?.close();
  });

  const key = (n: number) => Buffer.alloc(32, 90 + n).toString('base64');

  async function enroll(who: SignedIn, name: string, n: number): Promise<{ id: string; filename: string }> {
    const res = await t.http
      .post('/v1/networks/lab/peers')
      .set(stateChange(t, who))
      .send({ name, publicKey: key(n) })
      .expect(201);
    rememberSecretsIn(res.body);
    return { id: res.body.peer.id, filename: res.body.config.filename };
  }

  it('the enrollment page links read "Enroll a device · Sign in · VPN status · API docs", and signed in "My devices"', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${t.url}/`);
    await page.locator('#sign-in-link').waitFor();
    const nav = async () => (await page.locator('nav.page-links').innerText()).replace(/\s+/g, ' ').trim();
    expect(await page.locator('nav.page-links a:visible').allTextContents()).toEqual([
      'Enroll a device',
      'Sign in',
      'VPN status',
      'API docs',
    ]);
    expect(await nav()).toBe('Enroll a device · Sign in · VPN status · API docs');
    await page.close();
    await alice.page.goto(`${t.url}/`);
    await alice.page.locator('#devices-link').waitFor();
    expect((await alice.page.locator('nav.page-links').innerText()).replace(/\s+/g, ' ').trim()).toBe(
      'Enroll a device · My devices · VPN status · API docs',
    );
  });

  it('renames a device on "my devices"; the served file name stays; another person gets 404', async () => {
    const laptop = await enroll(alice, 'alice laptop', 1);
    expect(laptop.filename).toBe('alice_laptop.conf');
    const { page } = alice;
    await page.goto(`${t.url}/devices`);
    const row = page.locator(`tr[data-peer="${laptop.id}"]`);
    await row.locator('button[data-action="rename"]').click();
    await row.locator('input[name="name"]').fill('Alice work laptop');
    await screenshot(page, 'my-devices-rename');
    await row.locator('button[data-action="save-name"]').click();
    await page.waitForFunction(
      (id) =>
        document.querySelector(`tr[data-peer="${id}"] td[data-column="name"]`)?.textContent === 'Alice work laptop',
      laptop.id,
    );
    expect(await page.locator('#devices-status').textContent()).toBe('alice laptop is now called Alice work laptop.');
    const me = (await t.http.get('/auth/session').set(withCookie(alice))).body.user.id as string;
    const stored = await t.sql.query('SELECT name, config_name FROM peer WHERE id = $1', [laptop.id]);
    expect(stored.rows[0]).toEqual({ name: 'Alice work laptop', config_name: 'alice_laptop' });
    const audit = await t.sql.query(
      `SELECT actor, details FROM audit_event WHERE action = 'peer.renamed' AND target_id = $1`,
      [laptop.id],
    );
    expect(audit.rows).toEqual([{ actor: `user:${me}`, details: { from: 'alice laptop', name: 'Alice work laptop' } }]);
    // A new config for the renamed device keeps the file (and interface) name the device has.
    const reissued = await t.http
      .post(`/v1/peers/${laptop.id}/reissue`)
      .set(stateChange(t, alice))
      .send({ publicKey: key(2) })
      .expect(201);
    rememberSecretsIn(reissued.body);
    expect(reissued.body.config.filename).toBe('alice_laptop.conf');
    expect(reissued.body.peer.name).toBe('Alice work laptop');

    // Someone else: 404 whatever they send, nothing changed.
    const bob = await session(browser.browser, t, 'bob');
    const foreign = await t.http
      .patch(`/v1/peers/${laptop.id}`)
      .set(stateChange(t, bob))
      .send({ name: 'mine now' })
      .expect(404);
    expect(foreign.body.code).toBe('peer-not-found');
    // Bad names and state changes from elsewhere change nothing either.
    const bad = await t.http
      .patch(`/v1/peers/${laptop.id}`)
      .set(stateChange(t, alice))
      .send({ name: 'two\nlines' })
      .expect(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    await t.http
      .patch(`/v1/peers/${laptop.id}`)
      .set({ ...stateChange(t, alice), Origin: 'http://127.0.0.1:1' })
      .send({ name: 'cross site' })
      .expect(403);
    expect((await t.sql.query('SELECT name FROM peer WHERE id = $1', [laptop.id])).rows[0].name).toBe(
      'Alice work laptop',
    );
    await bob.context.close();

    // A revoked device keeps its last name: 409 peer-not-live, and the page offers no rename.
    const old = await enroll(alice, 'old phone', 3);
    await t.http.delete(`/v1/peers/${old.id}`).set(stateChange(t, alice)).expect(200);
    const late = await t.http
      .patch(`/v1/peers/${old.id}`)
      .set(stateChange(t, alice))
      .send({ name: 'new phone' })
      .expect(409);
    expect(late.body.code).toBe('peer-not-live');
    await page.reload();
    await page.locator(`tr[data-peer="${old.id}"][data-status="revoked"]`).waitFor();
    expect(await page.locator(`tr[data-peer="${old.id}"] button[data-action="rename"]`).count()).toBe(0);
  });

  it('shows admins the owner by e-mail and name; requesters and token-owned peers carry no person', async () => {
    const me = (await t.http.get('/auth/session').set(withCookie(alice))).body.user.id as string;
    const listed = await t.http.get('/v1/networks/lab/peers').set(bearer(t.adminToken)).expect(200);
    const mine = listed.body.items.filter((p: { owner: string }) => p.owner === `user:${me}`);
    expect(mine.length).toBeGreaterThan(0);
    for (const peer of mine) {
      expect(peer.ownerPerson).toEqual({ id: me, email: 'alice@example.org', name: 'Alice Researcher' });
    }
    const one = await t.http.get(`/v1/peers/${mine[0].id}`).set(bearer(t.adminToken)).expect(200);
    expect(one.body.ownerPerson).toEqual({ id: me, email: 'alice@example.org', name: 'Alice Researcher' });
    // An admin's own token-made peer: no person behind it.
    const byToken = await t.http
      .post('/v1/networks/lab/peers')
      .set(bearer(t.adminToken))
      .send({ name: 'router', publicKey: key(4) })
      .expect(201);
    rememberSecretsIn(byToken.body);
    const routerView = await t.http.get(`/v1/peers/${byToken.body.peer.id}`).set(bearer(t.adminToken)).expect(200);
    expect(routerView.body.ownerPerson).toBeNull();
    // The status page's data and its owner column, for an admin signed in through the admin group.
    const status = await t.http.get('/v1/networks/lab/status').set(bearer(t.adminToken)).expect(200);
    const laptopStatus = status.body.items.find((p: { name: string }) => p.name === 'Alice work laptop');
    expect(laptopStatus).toMatchObject({
      owner: `user:${me}`,
      ownerPerson: { id: me, email: 'alice@example.org', name: 'Alice Researcher' },
    });
    expect(status.body.items.find((p: { name: string }) => p.name === 'router').ownerPerson).toBeNull();
    const admin = await signIn(browser.browser, t, 'admin', '/status');
    await admin.page.locator('#dashboard').waitFor();
    await admin.page.locator('#network').selectOption('lab');
    const ownerOf = (name: string) =>
      admin.page
        .locator('#peer-rows tr', { has: admin.page.locator(`th:text-is("${name}")`) })
        .locator('td[data-column="owner"]');
    await ownerOf('Alice work laptop').waitFor();
    expect(await ownerOf('Alice work laptop').innerText()).toBe('Alice Researcher\nalice@example.org');
    expect(await ownerOf('router').textContent()).toBe('token');
    await screenshot(admin.page, 'status-owners');
    await admin.context.close();

    // A requester sees their own peers, without the person field.
    const own = await t.http.get('/v1/networks/lab/peers').set(withCookie(alice)).expect(200);
    expect(own.body.items.length).toBe(mine.length);
    expect(own.body.items.every((p: object) => !('ownerPerson' in p))).toBe(true);
  });

  it('lists people for an admin on /users and disables one from there; a requester sees nobody', async () => {
    // A requester: the page loads (it is static) but shows no one, and the API says 403.
    await alice.page.goto(`${t.url}/users`);
    await alice.page.locator('#users-error:not([hidden])').waitFor();
    expect(await alice.page.locator('#users-error').textContent()).toBe(
      'Only hub administrators can see the people who signed in.',
    );
    expect(await alice.page.locator('#users-body tr').count()).toBe(0);
    expect(await alice.page.locator('#users').isHidden()).toBe(true);
    await t.http.get('/v1/users').set(withCookie(alice)).expect(403);

    const bob = await session(browser.browser, t, 'bob');
    const bobId = (await t.http.get('/auth/session').set(withCookie(bob))).body.user.id as string;
    const bobsDevice = await enroll(bob, 'bob desktop', 5);

    const admin = await signIn(browser.browser, t, 'admin', '/users');
    const page = admin.page;
    const bobRow = page.locator(`tr[data-user="${bobId}"]`);
    await bobRow.waitFor();
    const rowText = await bobRow.textContent();
    expect(rowText).toContain('Bob Researcher');
    expect(rowText).toContain('bob@example.org');
    expect(await bobRow.locator('td[data-column="devices"]').textContent()).toBe('1');
    expect(rowText).not.toContain('never');
    const aliceRow = page.locator('tr', { hasText: 'alice@example.org' });
    expect(await aliceRow.locator('td[data-column="devices"]').textContent()).toBe('1');
    await screenshot(page, 'users');

    await bobRow.locator('select[name="devices"]').selectOption('revoke');
    page.once('dialog', (dialog) => void dialog.accept());
    await bobRow.locator('button[data-action="disable"]').click();
    await page.locator(`tr[data-user="${bobId}"][data-state="disabled"]`).waitFor();
    expect((await t.http.get('/v1/me/devices').set(withCookie(bob)).expect(401)).body.code).toBe('session-expired');
    expect((await t.sql.query('SELECT status FROM peer WHERE id = $1', [bobsDevice.id])).rows[0].status).toBe(
      'revoked',
    );
    const desired = await t.http.get('/v1/networks/lab/hub/desired-state').set(bearer(t.adminToken)).expect(200);
    expect(JSON.stringify(desired.body.peers)).not.toContain(bobsDevice.id);
    await bob.context.close();
    await admin.context.close();

    // An admin token, signed in on the status page in this tab, opens the people page too.
    const context = await browser.browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${t.url}/status`);
    await tab.locator('#token').fill(t.adminToken);
    await tab.locator('#sign-in-button').click();
    await tab.locator('#dashboard').waitFor();
    await tab.goto(`${t.url}/users`);
    await tab.locator(`tr[data-user="${bobId}"][data-state="disabled"]`).waitFor();
    await context.close();
  });

  it('refuses a session idle past SESSION_IDLE_TIMEOUT; one used within it lives on; SESSION_MAX_AGE sets the end', async () => {
    const hash = "encode(sha256($1::bytea), 'hex')";
    const row = await t.sql.query(
      `SELECT extract(epoch FROM expires_at - created_at) * 1000 AS max_ms FROM user_session WHERE id_hash = ${hash}`,
      [alice.cookie],
    );
    // The service's clock sets the end, the database's the start: a few ms apart (the default is 12 h).
    expect(Math.abs(Number(row.rows[0].max_ms) - MAX_AGE_MS)).toBeLessThan(5_000);

    // Last used 10 s inside the idle timeout: still signed in, and the use counts as activity.
    await t.sql.query(`UPDATE user_session SET last_seen_at = now() - $2::interval WHERE id_hash = ${hash}`, [
      alice.cookie,
      `${IDLE_MS - 10_000} milliseconds`,
    ]);
    await t.http.get('/v1/me/devices').set(withCookie(alice)).expect(200);
    const seen = await t.sql.query(
      `SELECT extract(epoch FROM now() - last_seen_at) * 1000 AS idle_ms FROM user_session WHERE id_hash = ${hash}`,
      [alice.cookie],
    );
    expect(Number(seen.rows[0].idle_ms)).toBeLessThan(IDLE_MS - 10_000);

    // Last used 1 s past the idle timeout: refused, though far from SESSION_MAX_AGE.
    await t.sql.query(`UPDATE user_session SET last_seen_at = now() - $2::interval WHERE id_hash = ${hash}`, [
      alice.cookie,
      `${IDLE_MS + 1000} milliseconds`,
    ]);
    const before = Number((await t.sql.query('SELECT count(*)::int AS n FROM peer')).rows[0].n);
    const ended = await t.http.get('/v1/me/devices').set(withCookie(alice)).expect(401);
    expect(ended.body.code).toBe('session-expired');
    await t.http
      .post('/v1/networks/lab/peers')
      .set(stateChange(t, alice))
      .send({ name: 'too late', publicKey: key(6) })
      .expect(401);
    expect(Number((await t.sql.query('SELECT count(*)::int AS n FROM peer')).rows[0].n)).toBe(before);
    expect((await t.http.get('/auth/session').set(withCookie(alice)).expect(200)).body.user).toBeNull();
    // The page says so: signed out.
    await alice.page.goto(`${t.url}/devices`);
    await alice.page.locator('#signed-out:not([hidden])').waitFor();
    await alice.context.close();
  });
});
