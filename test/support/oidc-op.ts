import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { decodeJwt, SignJWT } from 'jose';
import Provider from 'oidc-provider';
import type { Browser } from 'playwright-core';
import { freePort } from '../../src/database/embedded-postgres';

/**
 * A real OpenID Provider on loopback for the tests: oidc-provider (a certified implementation)
 * with its development sign-in form (any password; the login name picks a test user below) and
 * consent screen. It signs with a key this file holds, so a test can also hand out an expired
 * ID token (properly signed) or a forged one (signature broken) at the token endpoint.
 */
export interface TestUser {
  readonly email: string;
  readonly name: string;
  readonly groups: readonly string[];
}

export const TEST_USERS: Readonly<Record<string, TestUser>> = {
  alice: { email: 'alice@example.org', name: 'Alice Researcher', groups: ['vpn-users'] },
  bob: { email: 'bob@example.org', name: 'Bob Researcher', groups: ['vpn-users'] },
  admin: { email: 'admin@example.org', name: 'Ada Admin', groups: ['vpn-admins'] },
  mallory: { email: 'mallory@example.org', name: 'Mallory Outsider', groups: ['guests'] },
};

export const CLIENT_ID = 'wg-enroll-test';
export const CLIENT_SECRET = 'test-client-secret-0123456789abcdef';

/**
 * The service's sign-in variables for this provider: groups in the ID token's scopes,
 * `vpn-admins` are admins, only `vpn-users` (and admins) may use the service.
 */
export function signInEnv(provider: { issuer: string }): Record<string, string> {
  return {
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: CLIENT_ID,
    OIDC_CLIENT_SECRET: CLIENT_SECRET,
    OIDC_SCOPES: 'openid email profile groups',
    OIDC_ADMIN_GROUPS: 'vpn-admins',
    OIDC_ALLOWED_GROUPS: 'vpn-users',
  };
}

export type TokenTampering = 'none' | 'forge-signature' | 'expired';

export interface TestProvider {
  readonly issuer: string;
  /** What the token endpoint does to the next ID tokens it hands out. */
  tamper: TokenTampering;
  /** Every device_code the device authorization endpoint handed out (to scan the service for). */
  readonly deviceCodes: string[];
  close(): Promise<void>;
}

/**
 * Starts the provider with one confidential client whose redirect URI is `${appUrl}/auth/callback`.
 * It offers the device authorization grant (RFC 8628) too, unless `deviceFlow` is false.
 */
export async function startTestProvider(appUrl: string, options: { deviceFlow?: boolean } = {}): Promise<TestProvider> {
  const deviceFlow = options.deviceFlow ?? true;
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...(privateKey as KeyObject).export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${appUrl}/auth/callback`],
        post_logout_redirect_uris: [`${appUrl}/`],
        grant_types: ['authorization_code', ...(deviceFlow ? ['urn:ietf:params:oauth:grant-type:device_code'] : [])],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [jwk as never] },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'],
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      deviceFlow: { enabled: deviceFlow },
    },
    findAccount: (_ctx, id) => {
      const user = TEST_USERS[id];
      if (user === undefined) {
        return undefined;
      }
      return {
        accountId: id,
        claims: () => ({ sub: id, email: user.email, email_verified: true, name: user.name, groups: [...user.groups] }),
      };
    },
  });
  const state: TestProvider = {
    issuer,
    tamper: 'none',
    deviceCodes: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: string; device_code?: string } | undefined;
    if (ctx.path === '/device/auth' && typeof body?.device_code === 'string') {
      state.deviceCodes.push(body.device_code);
    }
    if (ctx.path === '/token' && body?.id_token && state.tamper !== 'none') {
      if (state.tamper === 'forge-signature') {
        const [h, p, s] = body.id_token.split('.');
        body.id_token = `${h}.${p}.${s.slice(0, -6)}${s.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA'}`;
      } else {
        const claims = decodeJwt(body.id_token);
        const now = Math.floor(Date.now() / 1000);
        body.id_token = await new SignJWT({ ...claims, iat: now - 7200, exp: now - 3600 })
          .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
          .sign(privateKey);
      }
    }
  });
  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  void (server.address() as AddressInfo);
  return state;
}

/**
 * A person at the provider's device page in Chromium (a fresh profile): opens the
 * verification URL with the code in it, confirms the code (or aborts: the provider then answers
 * the node access_denied), signs in on the development form as `login` and consents.
 */
export async function answerDeviceLogin(
  browser: Browser,
  verificationUriComplete: string,
  login: string,
  answer: 'approve' | 'abort' = 'approve',
): Promise<void> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(verificationUriComplete);
    if (answer === 'abort') {
      await page.locator('button[name="abort"]').click();
      await page.waitForLoadState();
      return;
    }
    await page.locator('button[type="submit"]', { hasText: 'Continue' }).click();
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any password');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]', { hasText: 'Continue' }).click();
    await page.locator('h1', { hasText: 'Sign-in Success' }).waitFor();
  } finally {
    await context.close();
  }
}
