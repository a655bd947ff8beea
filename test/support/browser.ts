import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { CHROMIUM, CHROMIUM_LAUNCH_OPTIONS } from '../../scripts/chromium.mjs';
import { ARTIFACTS } from './paths';

export { CHROMIUM };

/**
 * Why the browser specs cannot run here, or '' when they can. Specs put it in their title
 * (`describe.skipIf(BROWSER_MISSING)(`…${BROWSER_MISSING}`)`), so a skip says why. Under CI a
 * missing browser is an error instead: the proofs must run there.
 */
export const BROWSER_MISSING = browserMissing();

function browserMissing(): string {
  if (existsSync(CHROMIUM)) {
    return '';
  }
  if (process.env.CI) {
    throw new Error(`Chromium not found at ${CHROMIUM}: the browser proofs must run in CI (apt-get install chromium)`);
  }
  return ` (skipped: Chromium not found at ${CHROMIUM}; apt-get install -y chromium)`;
}

export interface BrowserSession {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every request the pages sent, with its body, for proofs about what left the browser. */
  readonly requests: { url: string; method: string; headers: Record<string, string>; body: string | null }[];
  /** Console errors and CSP violations reported by the pages. */
  readonly consoleErrors: string[];
  close(): Promise<void>;
}

/** Headless Debian Chromium; playwright gives every launch a fresh, temporary profile. */
export async function openBrowser(options: { width?: number; height?: number } = {}): Promise<BrowserSession> {
  const browser = await chromium.launch({ ...CHROMIUM_LAUNCH_OPTIONS, args: [...CHROMIUM_LAUNCH_OPTIONS.args] });
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const requests: BrowserSession['requests'] = [];
  const consoleErrors: string[] = [];
  context.on('request', (request: Request) => {
    requests.push({
      url: request.url(),
      method: request.method(),
      headers: request.headers(),
      body: request.postData(),
    });
  });
  page.on('console', (message) => {
    if (message.type() === 'error') {
      consoleErrors.push(message.text());
    }
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  return {
    browser,
    context,
    page,
    requests,
    consoleErrors,
    async close() {
      await browser.close();
    },
  };
}

/** Saves a screenshot into this run's artifacts (test/.. docs/ holds the committed copies). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = join(ARTIFACTS, 'screenshots');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
