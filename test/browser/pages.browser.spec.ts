import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { BROWSER_MISSING, openBrowser, type BrowserSession } from '../support/browser';

// The page shell: served by the app itself, scripts and styles from its own origin under a
// strict Content-Security-Policy (no inline script), and nothing the browser reports as broken.
describe.skipIf(BROWSER_MISSING)(`web pages: shell${BROWSER_MISSING}`, () => {
  let t: TestApp;
  let browser: BrowserSession;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it.each(['/', '/status'])('%s is served under a strict CSP, every asset from this origin', async (path) => {
    const response = await browser.page.goto(`${t.url}${path}`);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    await browser.page.waitForLoadState('networkidle');
    const origin = new URL(t.url).origin;
    expect(browser.requests.filter((r) => !r.url.startsWith(origin))).toEqual([]);
    expect(browser.consoleErrors).toEqual([]);
  });

  it.each(['/', '/status'])(
    '%s links to the enroll page, the status page and the API docs, and each answers',
    async (path) => {
      await browser.page.goto(`${t.url}${path}`);
      // Without sign-in configured, "My devices" and "Sign in" stay hidden.
      const links = browser.page.locator('nav.page-links a:visible');
      expect(await links.allTextContents()).toEqual(['Enroll a device', 'VPN status', 'API docs']);
      for (const href of await links.evaluateAll((as) => as.map((a) => (a as unknown as { href: string }).href))) {
        const res = await fetch(href);
        expect(res.status, href).toBe(200);
      }
    },
  );

  it('the status sign-in says where the admin token is', async () => {
    await browser.page.goto(`${t.url}/status`);
    await browser.page.locator('#token').waitFor();
    expect(await browser.page.locator('#token-hint').textContent()).toMatch(/\.data\/admin-token.*ADMIN_TOKEN/s);
  });
});
