import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/database/embedded-postgres';
import { Api } from '../support/api';
import { bearer, rememberSecretsIn, startTestApp, type TestApp } from '../support/app';
import { BROWSER_MISSING, openBrowser, screenshot, type BrowserSession } from '../support/browser';
import { startTestProvider, type TestProvider } from '../support/oidc-op';
import {
  COOKIE,
  signInEnv,
  session as sessionAt,
  signIn as signInAt,
  stateChange as stateChangeAt,
  withCookie,
  type SignedIn,
} from './sign-in';

// People sign in as themselves: a real OpenID Provider (oidc-provider, on loopback) with test
// users and groups, its real sign-in form driven in Chromium, the real app and Postgres. Sign in
// → enroll on the page → the device is in "my devices" → revoke → gone; what other people,
// other sites, forged or replayed callbacks and ended sessions can do: nothing.

describe.skipIf(BROWSER_MISSING)(`sign-in with OpenID Connect${BROWSER_MISSING}`, () => {
  let t: TestApp;
  let api: Api;
  let op: TestProvider;
  let browser: BrowserSession;
  let alice: SignedIn;
  let otherSite: Server;
  let otherOrigin: string;

  beforeAll(async () => {
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}`;
    op = await startTestProvider(appUrl);
    t = await startTestApp({
      PORT: String(port),
      ...signInEnv(op),
    });
    api = new Api(t);
    await api.createNetwork({ name: 'lab', ipv4Cidr: '10.81.0.0/24', selfService: true, devicesPerUser: 2 } as never);
    await api.createNetwork({ name: 'closed', ipv4Cidr: '10.82.0.0/24' });
    browser = await openBrowser();
    // Another site on another port (same-site for cookies: SameSite=Lax alone lets its posts carry the cookie).
    const otherPort = await freePort();
    otherOrigin = `http://127.0.0.1:${otherPort}`;
    otherSite = createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.end(`<!doctype html><form id="f" method="post" enctype="text/plain" action="${t.url}/v1/networks/lab/peers">
        <input name='{"name":"evil","delivery":"inline","x":"' value='"}'></form>
        <form id="g" method="post" action="${t.url}/auth/logout"></form>`);
    });
    await new Promise<void>((resolve) => otherSite.listen(otherPort, '127.0.0.1', () => resolve()));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await op?.close();
    await new Promise((resolve) => otherSite?.close(resolve));
  });

  const signIn = (login: string, returnTo = '/') =>
    signInAt(browser.browser, t, login, returnTo, login === 'alice' ? 'sign-in-provider' : undefined);
  const session = (login: string, returnTo = '/') => sessionAt(browser.browser, t, login, returnTo);
  const stateChange = (s: SignedIn) => stateChangeAt(t, s);

  async function count(table: string): Promise<number> {
    return Number((await t.sql.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);
  }

  it('signs in through the provider: HttpOnly, SameSite=Lax cookie; nothing secret in the URL or page storage', async () => {
    alice = await session('alice');
    const cookie = (await alice.context.cookies()).find((c) => c.name === COOKIE)!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
    expect(alice.page.url()).toBe(`${t.url}/`);
    // The callback carried code and state; the page the person ends on carries neither.
    expect(alice.visited.some((u) => u.startsWith(`${t.url}/auth/callback?`))).toBe(true);
    const after = alice.visited.slice(alice.visited.findIndex((u) => u.startsWith(`${t.url}/auth/callback?`)) + 1);
    expect(after.length).toBeGreaterThan(0);
    expect(after.join('\n')).not.toMatch(/code=|state=|id_token|wgs_/);
    const storage = await alice.page.evaluate<string>(
      'JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie })',
    );
    expect(storage).not.toContain(alice.cookie);
    expect(storage).not.toMatch(/eyJ|wgs_/);
    const users = await t.sql.query('SELECT subject, email, name, groups, last_sign_in_at FROM app_user');
    expect(users.rows).toEqual([
      expect.objectContaining({
        subject: 'alice',
        email: 'alice@example.org',
        name: 'Alice Researcher',
        groups: ['vpn-users'],
      }),
    ]);
    expect(users.rows[0].last_sign_in_at).not.toBeNull();
    // Only a hash of the session id is stored.
    const sessions = await t.sql.query('SELECT id_hash FROM user_session');
    expect(sessions.rows.map((r) => r.id_hash)).not.toContain(alice.cookie);
    await alice.page.waitForFunction(`document.getElementById('signed-in-name').textContent === 'Alice Researcher'`);
    expect(await alice.page.locator('#credential-field').isHidden()).toBe(true);
  });

  it('enrolls on the page with a key made in the browser; the device shows in "my devices"; revoke takes it away', async () => {
    const { page } = alice;
    await page.goto(`${t.url}/`);
    await page.locator('#signed-in-name').waitFor();
    await page.fill('#name', 'alice-laptop');
    await page.waitForFunction(`document.getElementById('network').value === 'lab'`);
    await screenshot(page, 'enroll-signed-in');
    await page.click('#enroll-submit');
    await page.locator('#config-text').waitFor();
    const shown = (await page.locator('#config-text').textContent()) ?? '';
    rememberSecretsIn(shown);
    expect(shown).toMatch(/^PrivateKey = [A-Za-z0-9+/]{43}=$/m);
    const me = (await t.http.get('/auth/session').set(withCookie(alice))).body.user.id as string;
    const peers = await t.sql.query(`SELECT id, owner_id, status FROM peer WHERE name = 'alice-laptop'`);
    expect(peers.rows).toEqual([expect.objectContaining({ owner_id: `user:${me}`, status: 'active' })]);
    const audit = await t.sql.query(`SELECT actor FROM audit_event WHERE action = 'peer.enrolled' AND target_id = $1`, [
      peers.rows[0].id,
    ]);
    expect(audit.rows).toEqual([{ actor: `user:${me}` }]);

    await page.goto(`${t.url}/devices`);
    const row = page.locator(`tr[data-peer="${peers.rows[0].id}"]`);
    await page.locator(`tr[data-peer="${peers.rows[0].id}"][data-status="active"]`).waitFor();
    expect(await row.textContent()).toContain('alice-laptop');
    expect(await row.textContent()).toContain('10.81.0.');
    await screenshot(page, 'my-devices');
    page.once('dialog', (dialog) => void dialog.accept());
    await row.locator('button[data-action="revoke"]').click();
    await page.locator(`tr[data-peer="${peers.rows[0].id}"][data-status="revoked"]`).waitFor();
    expect((await t.sql.query('SELECT status FROM peer WHERE id = $1', [peers.rows[0].id])).rows[0].status).toBe(
      'revoked',
    );
    const desired = await t.http.get('/v1/networks/lab/hub/desired-state').set(bearer(t.adminToken)).expect(200);
    expect(JSON.stringify(desired.body.peers)).not.toContain(peers.rows[0].id);
  });

  it('enrolls up to devicesPerUser, then 409 device-limit-reached with nothing created; closed networks refuse', async () => {
    const publicKey = (n: number) => Buffer.alloc(32, 40 + n).toString('base64');
    for (const n of [1, 2]) {
      await t.http
        .post('/v1/networks/lab/peers')
        .set(stateChange(alice))
        .send({ name: `alice-${n}`, publicKey: publicKey(n) })
        .expect(201);
    }
    const before = await count('peer');
    const refused = await t.http
      .post('/v1/networks/lab/peers')
      .set(stateChange(alice))
      .send({ name: 'alice-3', publicKey: publicKey(3) })
      .expect(409);
    expect(refused.body.code).toBe('device-limit-reached');
    const closed = await t.http
      .post('/v1/networks/closed/peers')
      .set(stateChange(alice))
      .send({ name: 'alice-4', publicKey: publicKey(4) })
      .expect(403);
    expect(closed.body.code).toBe('self-service-closed');
    expect(await count('peer')).toBe(before);
  });

  it("never shows or touches another person's device (404)", async () => {
    const bob = await session('bob');
    const alices = await t.sql.query(`SELECT id FROM peer WHERE name = 'alice-1'`);
    const id = alices.rows[0].id as string;
    expect((await t.http.get(`/v1/peers/${id}`).set(withCookie(bob)).expect(404)).body.code).toBe('peer-not-found');
    expect((await t.http.delete(`/v1/peers/${id}`).set(stateChange(bob)).expect(404)).body.code).toBe('peer-not-found');
    expect((await t.http.get('/v1/me/devices').set(withCookie(bob)).expect(200)).body.items).toEqual([]);
    expect((await t.http.get('/v1/me/devices').set(withCookie(alice)).expect(200)).body.items.length).toBe(3);
    expect((await t.sql.query('SELECT status FROM peer WHERE id = $1', [id])).rows[0].status).toBe('active');
    await bob.context.close();
  });

  it('refuses state changes from another origin or without the CSRF token; safe reads need neither', async () => {
    const before = await count('peer');
    const foreign = await t.http
      .post('/v1/networks/lab/peers')
      .set({ ...stateChange(alice), Origin: otherOrigin })
      .send({ name: 'x' })
      .expect(403);
    expect(foreign.body.code).toBe('cross-origin-refused');
    const noToken = await t.http
      .post('/v1/networks/lab/peers')
      .set({ ...withCookie(alice), Origin: t.url })
      .send({ name: 'x' })
      .expect(403);
    expect(noToken.body.code).toBe('csrf-token-invalid');
    expect(
      (await t.sql.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'session.cross-origin-refused'`))
        .rows[0].n,
    ).toBe(1);

    // A real form on another site, posted in Alice's browser with her cookie.
    for (const [form, path] of [
      ['f', '/v1/networks/lab/peers'],
      ['g', '/auth/logout'],
    ] as const) {
      const page = await alice.context.newPage();
      await page.goto(otherOrigin);
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${t.url}${path}` && r.request().method() === 'POST'),
        page.evaluate(`document.getElementById("${form}").submit()`),
      ]);
      // The cookie went along (same site, other origin) and was refused all the same.
      expect(answer.request().headers().cookie ?? (await answer.request().allHeaders()).cookie).toContain(COOKIE);
      expect([403, 415]).toContain(answer.status());
      await page.close();
    }
    expect(await count('peer')).toBe(before);
    // Still signed in: the cross-site sign-out form did not end the session either.
    await t.http.get('/v1/me/devices').set(withCookie(alice)).expect(200);
  });

  it('lets an admin-group member read the admin API; refuses a person outside the allowed groups', async () => {
    const admin = await session('admin', '/status');
    // The status page opens for the admin group's member without a pasted token.
    expect(admin.page.url()).toBe(`${t.url}/status`);
    await admin.page.locator('#dashboard').waitFor();
    expect(await admin.page.locator('#sign-in-section').isHidden()).toBe(true);
    await t.http.get('/v1/networks/lab/status').set(withCookie(admin)).expect(200);
    expect((await t.http.get('/v1/networks/lab/status').set(withCookie(alice)).expect(403)).body.code).toBe(
      'forbidden',
    );
    await admin.context.close();

    const users = await count('app_user');
    const sessions = await count('user_session');
    const refused = await signIn('mallory');
    await refused.page.locator('#sign-in-problem[data-code="sign-in-refused"]').waitFor();
    await screenshot(refused.page, 'sign-in-refused');
    expect(await count('app_user')).toBe(users);
    expect(await count('user_session')).toBe(sessions);
    const audit = await t.sql.query(
      `SELECT details->>'reason' AS reason FROM audit_event WHERE action = 'user.sign-in-refused' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit.rows[0].reason).toBe('not in OIDC_ALLOWED_GROUPS');
    await refused.context.close();
  });

  it('refuses an unknown or reused state, and a forged or expired ID token, creating nothing', async () => {
    const sessions = await count('user_session');
    const unknown = await t.http.get('/auth/callback?code=abc&state=not-a-state').expect(400);
    expect(unknown.text).toContain('data-code="sign-in-state-invalid"');

    // The callback URL Bob's browser used, replayed: its state was used up.
    const bob = await session('bob');
    const callback = bob.visited.find((u) => u.startsWith(`${t.url}/auth/callback?`))!;
    const replay = await t.http.get(callback.slice(t.url.length)).expect(400);
    expect(replay.text).toContain('data-code="sign-in-state-invalid"');
    await bob.context.close();
    const afterBob = await count('user_session');
    expect(afterBob).toBe(sessions + 1);

    for (const tamper of ['forge-signature', 'expired'] as const) {
      op.tamper = tamper;
      try {
        const attempt = await signIn('bob');
        await attempt.page.locator('#sign-in-problem[data-code="sign-in-failed"]').waitFor();
        expect((await attempt.context.cookies()).some((c) => c.name === COOKIE)).toBe(false);
        await attempt.context.close();
      } finally {
        op.tamper = 'none';
      }
    }
    expect(await count('user_session')).toBe(afterBob);
  });

  it('ends a session past its expiry (401 session-expired) and at sign-out', async () => {
    const carol = await session('bob');
    await t.sql.query(
      `UPDATE user_session SET expires_at = now() - interval '1 second' WHERE id_hash = encode(sha256($1::bytea), 'hex')`,
      [carol.cookie],
    );
    const before = await count('peer');
    const ended = await t.http
      .post('/v1/networks/lab/peers')
      .set(stateChange(carol))
      .send({ name: 'late' })
      .expect(401);
    expect(ended.body.code).toBe('session-expired');
    expect(await count('peer')).toBe(before);
    await carol.context.close();

    // Sign-out from the page: the session row is gone, the provider's end-session page is next.
    await alice.page.goto(`${t.url}/`);
    await alice.page.locator('#sign-out').click();
    await alice.page.waitForURL((url) => url.origin === op.issuer);
    expect((await t.http.get('/v1/me/devices').set(withCookie(alice)).expect(401)).body.code).toBe('session-expired');
    await alice.context.close();
  });

  it('gives a person a personal token (requester, shown once); an admin lists people and disables one', async () => {
    const bob = await session('bob');
    const made = await t.http.post('/v1/me/tokens').set(stateChange(bob)).send({ name: 'bob script' }).expect(201);
    rememberSecretsIn(made.body);
    const personal = made.body.token as string;
    expect(personal).toMatch(/^wgt_/);
    const listed = await t.http.get('/v1/tokens').set(bearer(t.adminToken)).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(personal);
    // The token acts as Bob: his device, his list; never admin.
    const enrolled = await t.http
      .post('/v1/networks/lab/peers')
      .set(bearer(personal))
      .send({ name: 'bob-desktop', publicKey: Buffer.alloc(32, 77).toString('base64') })
      .expect(201);
    const bobId = (await t.http.get('/auth/session').set(withCookie(bob))).body.user.id as string;
    expect(enrolled.body.peer.owner).toBe(`user:${bobId}`);
    expect((await t.http.get('/v1/me/devices').set(bearer(personal)).expect(200)).body.items).toHaveLength(1);
    await t.http.get('/v1/networks').set(bearer(personal)).expect(403);
    // A personal token cannot mint more tokens.
    await t.http.post('/v1/me/tokens').set(bearer(personal)).send({ name: 'again' }).expect(403);
    // DELETE /v1/me/token is a token's own revocation: a session is refused (it signs out instead).
    const bySession = await t.http.delete('/v1/me/token').set(stateChange(bob)).expect(403);
    expect(bySession.body.code).toBe('forbidden');
    await t.http.get('/v1/me/devices').set(bearer(personal)).expect(200);

    const admin = await session('admin');
    const people = (await t.http.get('/v1/users').set(withCookie(admin)).expect(200)).body.items as {
      id: string;
      email: string;
      devices: number;
      lastSignInAt: string | null;
    }[];
    expect(people.find((p) => p.email === 'bob@example.org')).toMatchObject({ id: bobId, devices: 1 });
    expect(people.find((p) => p.email === 'alice@example.org')?.lastSignInAt).not.toBeNull();
    // Requesters do not see the users view.
    await t.http.get('/v1/users').set(withCookie(bob)).expect(403);

    const disabled = await t.http
      .post(`/v1/users/${bobId}/disable`)
      .set(stateChange(admin))
      .send({ devices: 'off-hub' })
      .expect(200);
    expect(disabled.body.disabledAt).not.toBeNull();
    expect((await t.http.get('/v1/me/devices').set(withCookie(bob)).expect(401)).body.code).toBe('session-expired');
    await t.http.get('/v1/me/devices').set(bearer(personal)).expect(401);
    const desired = await t.http.get('/v1/networks/lab/hub/desired-state').set(bearer(t.adminToken)).expect(200);
    expect(JSON.stringify(desired.body.peers)).not.toContain(enrolled.body.peer.publicKey);
    expect(
      (await t.sql.query('SELECT status, quarantined FROM peer WHERE id = $1', [enrolled.body.peer.id])).rows[0],
    ).toEqual({ status: 'active', quarantined: true });
    await t.http.post(`/v1/users/${bobId}/disable`).set(stateChange(admin)).send({ devices: 'revoke' }).expect(409);
    await bob.context.close();

    // Signing in again does not bring Bob back.
    const again = await signIn('bob');
    await again.page.locator('#sign-in-problem[data-code="sign-in-refused"]').waitFor();
    await again.context.close();
    await admin.context.close();
  });
});
