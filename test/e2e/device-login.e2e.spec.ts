import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/database/embedded-postgres';
import { Api, expectProblem } from '../support/api';
import {
  bearer,
  logLinesOfThisProcess,
  rememberSecret,
  rememberSecretsIn,
  startTestApp,
  type TestApp,
} from '../support/app';
import { BROWSER_MISSING, openBrowser, type BrowserSession } from '../support/browser';
import { answerDeviceLogin, signInEnv, startTestProvider, type TestProvider } from '../support/oidc-op';

// Sign-in for a node without a browser (join.sh --login): the device authorization grant,
// mediated by the service, against a real OpenID Provider (oidc-provider on loopback) whose
// device page a person answers in Chromium. The node holds only a handle; the provider's
// device_code stays on the server; what the node gets is a personal token of minutes.

function publicKey(): string {
  const { publicKey: jwk } = generateKeyPairSync('x25519', {
    publicKeyEncoding: { format: 'jwk' },
    privateKeyEncoding: { format: 'jwk' },
  }) as unknown as { publicKey: { x: string } };
  return Buffer.from(jwk.x, 'base64url').toString('base64');
}

interface Started {
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string;
  interval: number;
  expiresIn: number;
  handle: string;
}

describe.skipIf(BROWSER_MISSING)(`device login (join.sh --login)${BROWSER_MISSING}`, () => {
  let t: TestApp;
  let op: TestProvider;
  let browser: BrowserSession;

  beforeAll(async () => {
    const port = await freePort();
    op = await startTestProvider(`http://127.0.0.1:${port}`);
    t = await startTestApp({ PORT: String(port), ...signInEnv(op) });
    await new Api(t).createNetwork({
      name: 'lab',
      ipv4Cidr: '10.83.0.0/24',
      selfService: true,
      devicesPerUser: 1,
    } as never);
    browser = await openBrowser();
  });
  afterAll(async () => {
    rememberSecret(...(op?.deviceCodes ?? []));
    await browser?.close();
    await t?.close();
    await op?.close();
  });

  async function count(table: string, where = 'true'): Promise<number> {
    return Number((await t.sql.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`)).rows[0].n);
  }

  async function start(): Promise<Started> {
    const res = await t.http.post('/auth/device').expect(201);
    rememberSecretsIn(res.body);
    rememberSecret(...op.deviceCodes);
    return res.body as Started;
  }

  const poll = (handle: string) => t.http.post('/auth/device/token').send({ handle });

  /** Polls as the script does: at the interval, five seconds more after a slow-down. */
  async function pollUntilAnswered(started: Started) {
    let interval = started.interval;
    for (;;) {
      const res = await poll(started.handle);
      rememberSecretsIn(res.body);
      if (res.status !== 400 || !['authorization-pending', 'slow-down'].includes(res.body.code)) {
        return res;
      }
      interval += res.body.code === 'slow-down' ? 5 : 0;
      await new Promise((resolve) => setTimeout(resolve, interval * 1000));
    }
  }

  it('starts with a code to show and a handle; the device_code stays on the server, encrypted', async () => {
    const started = await start();
    expect(started.handle).toMatch(/^wgd_[A-Za-z0-9_-]{43}$/);
    expect(started.userCode).toMatch(/\S{4,}/);
    expect(started.verificationUri).toBe(`${op.issuer}/device`);
    expect(started.verificationUriComplete).toContain(`${op.issuer}/device?user_code=`);
    expect(started.interval).toBeGreaterThan(0);
    expect(started.expiresIn).toBeGreaterThan(60);
    const deviceCode = op.deviceCodes.at(-1)!;
    expect(JSON.stringify(started)).not.toContain(deviceCode);
    const rows = (await t.sql.query('SELECT handle_hash, device_code FROM device_login')).rows;
    const text = rows.map((r) => `${r.handle_hash} ${Buffer.from(r.device_code).toString('latin1')}`).join('\n');
    expect(text).not.toContain(started.handle);
    expect(text).not.toContain(deviceCode);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('answers pending, as often as asked, before the person signed in', async () => {
    // (oidc-provider never answers slow_down, so that mapping has no proof against it here.)
    const started = await start();
    expectProblem(await poll(started.handle), 400, 'authorization-pending');
    expectProblem(await poll(started.handle), 400, 'authorization-pending');
  });

  it('refuses a handle it never gave, a malformed one, and a body without one', async () => {
    expectProblem(await poll(`wgd_${'A'.repeat(43)}`), 400, 'device-login-invalid');
    expectProblem(await poll('wgt_not-a-device-login-handle'), 400, 'device-login-invalid');
    expectProblem(await t.http.post('/auth/device/token').send({}), 400, 'validation-failed');
  });

  it('after the person signs in: a personal token of minutes that enrolls a device owned by that person, once', async () => {
    const tokensBefore = await count('api_token');
    const started = await start();
    await answerDeviceLogin(browser.browser, started.verificationUriComplete, 'alice');
    const res = await pollUntilAnswered(started);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { token, expiresAt, user } = res.body as {
      token: string;
      expiresAt: string;
      user: { id: string; email: string };
    };
    expect(token).toMatch(/^wgt_/);
    expect(user.email).toBe('alice@example.org');
    const minutes = (Date.parse(expiresAt) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(5);
    expect(minutes).toBeLessThanOrEqual(10);
    expect(await count('api_token')).toBe(tokensBefore + 1);
    expect(await count('user_session')).toBe(0);
    const stored = (
      await t.sql.query('SELECT owner_user_id, role, expires_at FROM api_token ORDER BY created_at DESC LIMIT 1')
    ).rows[0];
    expect(stored.owner_user_id).toBe(user.id);
    expect(stored.role).toBe('requester');

    const who = await t.http.get('/v1/whoami').set(bearer(token)).expect(200);
    expect(who.body.kind).toBe('user');
    const enrolled = await t.http
      .post('/v1/networks/lab/peers')
      .set(bearer(token))
      .send({ name: 'node-1', publicKey: publicKey() })
      .expect(201);
    expect(enrolled.body.peer.owner).toBe(`user:${user.id}`);
    const audit = (
      await t.sql.query(
        `SELECT actor, details FROM audit_event WHERE action = 'user.signed-in' ORDER BY id DESC LIMIT 1`,
      )
    ).rows[0];
    expect(audit.actor).toBe(`user:${user.id}`);
    expect(audit.details.via).toBe('device');
    // The device limit (1 here) holds for this credential as for the pages.
    expectProblem(
      await t.http.post('/v1/networks/lab/peers').set(bearer(token)).send({ name: 'node-2', publicKey: publicKey() }),
      409,
      'device-limit-reached',
    );
    // The handle worked once.
    expectProblem(await poll(started.handle), 400, 'device-login-invalid');
    expect(await count('device_login', `expires_at > now()`)).toBeLessThanOrEqual(2);
  });

  it('refuses a person outside OIDC_ALLOWED_GROUPS: no person, no token, the handle ended', async () => {
    const tokensBefore = await count('api_token');
    const started = await start();
    await answerDeviceLogin(browser.browser, started.verificationUriComplete, 'mallory');
    expectProblem(await pollUntilAnswered(started), 403, 'sign-in-refused');
    expect(await count('app_user', `email = 'mallory@example.org'`)).toBe(0);
    expect(await count('api_token')).toBe(tokensBefore);
    expect(
      await count('audit_event', `action = 'user.sign-in-refused' AND details->>'email' = 'mallory@example.org'`),
    ).toBe(1);
    expectProblem(await poll(started.handle), 400, 'device-login-invalid');
  });

  it('a login denied at the provider creates nothing and ends the handle', async () => {
    const tokensBefore = await count('api_token');
    const users = await count('app_user');
    const started = await start();
    await answerDeviceLogin(browser.browser, started.verificationUriComplete, 'bob', 'abort');
    expectProblem(await pollUntilAnswered(started), 403, 'device-login-denied');
    expect(await count('api_token')).toBe(tokensBefore);
    expect(await count('app_user')).toBe(users);
    expectProblem(await poll(started.handle), 400, 'device-login-invalid');
  });

  it('an expired login is refused and ends', async () => {
    const started = await start();
    await t.sql.query(`UPDATE device_login SET expires_at = now() - interval '1 second'`);
    expectProblem(await poll(started.handle), 400, 'device-login-expired');
    expectProblem(await poll(started.handle), 400, 'device-login-invalid');
  });

  it('logs no handle, device_code or token', () => {
    const lines = JSON.stringify(logLinesOfThisProcess());
    expect(lines).not.toMatch(/wgd_[A-Za-z0-9_-]{20,}/);
    for (const code of op.deviceCodes) {
      expect(lines).not.toContain(code);
    }
  });
});

describe('device login where the provider or the service does not offer it', () => {
  it('a provider without a device_authorization_endpoint: device-login-not-offered', async () => {
    const port = await freePort();
    const op = await startTestProvider(`http://127.0.0.1:${port}`, { deviceFlow: false });
    const t = await startTestApp({ PORT: String(port), ...signInEnv(op) });
    try {
      expectProblem(await t.http.post('/auth/device'), 404, 'device-login-not-offered');
      expectProblem(
        await t.http.post('/auth/device/token').send({ handle: `wgd_${'A'.repeat(43)}` }),
        404,
        'device-login-not-offered',
      );
    } finally {
      await t.close();
      await op.close();
    }
  });

  it('without OIDC_ISSUER: sign-in-not-configured', async () => {
    const t = await startTestApp();
    try {
      expectProblem(await t.http.post('/auth/device'), 404, 'sign-in-not-configured');
    } finally {
      await t.close();
    }
  });
});
