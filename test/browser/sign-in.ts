import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { rememberSecret, type TestApp } from '../support/app';
import { screenshot } from '../support/browser';

export { signInEnv } from '../support/oidc-op';

/** The session cookie's name for an http PUBLIC_URL. */
export const COOKIE = 'wg-enroll-session';

export interface SignedIn {
  context: BrowserContext;
  page: Page;
  cookie: string;
  csrf: string;
  /** Every URL the browser went to (the callback among them). */
  visited: string[];
}

/**
 * The test provider's own sign-in form and consent screen (test/support/oidc-op.ts), in a fresh
 * browser profile; the code seen in the callback URL is remembered as a secret for the log scan.
 */
export async function signIn(
  browser: Browser,
  t: Pick<TestApp, 'url'>,
  login: string,
  returnTo = '/',
  shot?: string,
): Promise<{ context: BrowserContext; page: Page; visited: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const visited: string[] = [];
  page.on('request', (request) => {
    if (request.isNavigationRequest()) {
      visited.push(request.url());
    }
  });
  await page.goto(`${t.url}/auth/login?return_to=${encodeURIComponent(returnTo)}`);
  await page.locator('input[name="login"]').fill(login);
  if (shot !== undefined) {
    await screenshot(page, shot);
  }
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
  await page.locator('button[type="submit"]', { hasText: 'Continue' }).click();
  await page.waitForURL((url) => url.origin === t.url && !url.pathname.startsWith('/auth/login'));
  for (const url of visited) {
    const code = new URL(url).searchParams.get('code');
    if (code !== null) {
      rememberSecret(code);
    }
  }
  return { context, page, visited };
}

/** Signs in and reads the session cookie and its CSRF token (for calls made outside the browser). */
export async function session(browser: Browser, t: TestApp, login: string, returnTo = '/'): Promise<SignedIn> {
  const signed = await signIn(browser, t, login, returnTo);
  const cookie = (await signed.context.cookies()).find((c) => c.name === COOKIE);
  expect(cookie, `${login} has a session cookie`).toBeDefined();
  rememberSecret(cookie!.value);
  const info = await t.http.get('/auth/session').set('Cookie', `${COOKIE}=${cookie!.value}`).expect(200);
  return { ...signed, cookie: cookie!.value, csrf: info.body.csrfToken };
}

export const withCookie = (s: SignedIn) => ({ Cookie: `${COOKIE}=${s.cookie}` });

/** Headers of a state change from our own pages: the cookie, our Origin and the CSRF token. */
export const stateChange = (t: TestApp, s: SignedIn) => ({ ...withCookie(s), Origin: t.url, 'X-CSRF-Token': s.csrf });
