import { existsSync, readFileSync } from 'node:fs';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/database/embedded-postgres';
import { rememberSecret, rememberSecretsIn } from '../support/app';
import { BROWSER_MISSING, openBrowser, type BrowserSession } from '../support/browser';
import { startTestProvider, type TestProvider } from '../support/oidc-op';
import { signIn, signInEnv } from '../browser/sign-in';
import { bringUpNode, ping, whyUnavailable } from './support/netns';
import { Stack, waitFor } from './support/service';

// A person signs in (the real provider's form in Chromium), enrolls a device on the enrollment
// page of a self-service network with the key pair made in the page, downloads the config the
// page offers, and a node namespace brings exactly that file up on wireguard-go: it answers a
// ping through the hub. Revoking it on "my devices" takes it off the hub: the agent's file and
// `wg show` lose its key and the node's pings go unanswered.

const reason = whyUnavailable() ?? (BROWSER_MISSING === '' ? null : BROWSER_MISSING.trim());
if (reason !== null && process.env.CI) {
  throw new Error(`tunnel tests must run in CI, but the lab is unavailable: ${reason}`);
}

const NETWORK = {
  name: 'selfnet',
  ipv4Cidr: '172.29.50.0/24',
  ipv6Cidr: 'fd29:50::/64',
  persistentKeepalive: 25,
  selfService: true,
  devicesPerUser: 2,
};
const measured: Record<string, unknown> = {};

describe.skipIf(reason !== null)(
  `signed-in self-service on a real tunnel (oidc-provider, Chromium, wireguard-go)${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let stack: Stack;
    let op: TestProvider;
    let browser: BrowserSession;
    let hubV4 = '';

    beforeAll(async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      op = await startTestProvider(url);
      stack = await Stack.start('si', 1, NETWORK, {
        port,
        apiEnv: {
          PUBLIC_URL: url,
          ...signInEnv(op),
        },
      });
      hubV4 = stack.hubAddresses[0].split('/')[0];
      browser = await openBrowser();
    });

    afterAll(async () => {
      await browser?.close();
      await stack?.destroy();
      await op?.close();
      // eslint-disable-next-line no-console
      console.log(`sign-in tunnel measurements: ${JSON.stringify(measured, null, 2)}`);
    });

    it('enrolls on the page, the downloaded config pings the hub, revoke on "my devices" takes it off', async () => {
      const { context, page } = await signIn(browser.browser, stack, 'alice');
      const cookie = (await context.cookies()).find((c) => c.name === 'wg-enroll-session');
      expect(cookie).toBeDefined();
      rememberSecret(cookie!.value);

      await page.goto(`${stack.url}/`);
      await page.locator('#signed-in-name').waitFor();
      await page.fill('#name', 'alice laptop');
      await page.fill('#network', NETWORK.name);
      const submittedAt = Date.now();
      await page.click('#enroll-submit');
      await page.locator('#config-text').waitFor();
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#config-download')]);
      expect(download.suggestedFilename()).toBe('alice_laptop.conf');
      const path = (await download.path())!;
      expect(existsSync(path)).toBe(true);
      const text = readFileSync(path, 'utf8');
      rememberSecretsIn(text);
      expect(text).toMatch(/^PrivateKey = [A-Za-z0-9+/]{43}=$/m);
      expect(text).toContain(`PublicKey = ${stack.hubPublicKey}`);

      const { items } = await waitFor(
        'the device in my devices',
        async () => {
          const res = await fetch(`${stack.url}/v1/me/devices`, {
            headers: { Cookie: `wg-enroll-session=${cookie!.value}` },
          });
          const body = (await res.json()) as { items: { id: string; publicKey: string; owner: string }[] };
          return body.items.length === 1 ? body : undefined;
        },
        5_000,
      );
      const device = items[0];
      // The key pair was made in the page: the server never had the private key.
      const db = new Client({ connectionString: stack.databaseUrl });
      await db.connect();
      try {
        const stored = await db.query('SELECT owner_id, private_key_enc FROM peer WHERE id = $1', [device.id]);
        expect(stored.rows[0].private_key_enc).toBeNull();
        expect(stored.rows[0].owner_id).toMatch(/^user:/);
      } finally {
        await db.end();
      }
      const onHubAt = await waitFor(
        'the device on the hub',
        async () => ((await stack.hubKeys()).has(device.publicKey) ? Date.now() : undefined),
        5_000,
        20,
      );
      expect(readFileSync(stack.hubConfigFile, 'utf8')).toContain(device.publicKey);

      const upAt = Date.now();
      await bringUpNode(stack.lab, stack.lab.nodeNs[0], stack.lab.ifname('n1'), text);
      const answered = await ping(stack.lab, stack.lab.nodeNs[0], hubV4, { count: 3, deadlineS: 10 });
      expect(answered).toMatchObject({ received: 3 });
      measured.firstPing = { ...answered, upToThreeRepliesMs: Date.now() - upAt };
      measured.submitToOnHubMs = onHubAt - submittedAt;

      // Revoke on "my devices".
      await page.goto(`${stack.url}/devices`);
      const row = page.locator(`tr[data-peer="${device.id}"][data-status="active"]`);
      await row.waitFor();
      page.once('dialog', (dialog) => void dialog.accept());
      const revokedAt = Date.now();
      await row.locator('button[data-action="revoke"]').click();
      await page.locator(`tr[data-peer="${device.id}"][data-status="revoked"]`).waitFor();
      const goneAt = await waitFor(
        'the device off the hub',
        async () => ((await stack.hubKeys()).has(device.publicKey) ? undefined : Date.now()),
        10_000,
        20,
      );
      measured.revokeToOffHubMs = goneAt - revokedAt;
      expect(readFileSync(stack.hubConfigFile, 'utf8')).not.toContain(device.publicKey);
      expect(await ping(stack.lab, stack.lab.nodeNs[0], hubV4, { count: 3, timeoutS: 1 })).toMatchObject({
        received: 0,
      });
      await context.close();
    });
  },
);
