import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHubConfigs, type HubConfigInput } from '../../src/domain/render/hub-config';
import { startTestApp, type TestApp } from '../support/app';
import { Api } from '../support/api';

function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const tools = has('wg') && has('wg-quick');
if (!tools && process.env.CI) {
  throw new Error('wireguard-tools (wg, wg-quick) must be installed in CI: .ci/run installs them');
}

describe.skipIf(!tools)(
  `served configs and the real wg tools${tools ? '' : ' (skipped: wireguard-tools not installed; apt-get install wireguard-tools)'}`,
  () => {
    let t: TestApp;
    let api: Api;
    let dir: string;

    beforeAll(async () => {
      t = await startTestApp({ WG_DNS: '10.0.0.53', WG_MTU: '1380' });
      api = new Api(t);
      dir = mkdtempSync(join(tmpdir(), 'wg-enroll-conf-'));
    });
    afterAll(async () => {
      await t?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** wg-quick strip accepts the file as served (its name is the interface name). */
    function strip(filename: string, text: string): string {
      const file = join(dir, filename);
      writeFileSync(file, text, { mode: 0o600 });
      return execFileSync('wg-quick', ['strip', file], { encoding: 'utf8' });
    }

    it('inline, link and reissued configs pass wg-quick strip, and wg pubkey agrees with the peer', async () => {
      const served: { filename: string; text: string; publicKey: string }[] = [];
      for (const name of ['laptop', 'Büro PC #2', 'a-very-long-device-name-indeed']) {
        const res = await api.enroll('default', t.adminToken, { name });
        served.push({ ...res.body.config, publicKey: res.body.peer.publicKey });
      }
      const link = await api.enroll('default', t.adminToken, { name: 'linked', delivery: 'link' });
      const claimed = await api.claim(link.body.claim.url);
      served.push({ ...claimed.body.config, publicKey: claimed.body.peer.publicKey });
      const reissued = await t.http
        .post(`/v1/peers/${link.body.peer.id}/reissue`)
        .set('Authorization', `Bearer ${t.adminToken}`)
        .send({});
      served.push({ ...reissued.body.config, publicKey: reissued.body.peer.publicKey });

      for (const config of served) {
        expect(config.filename).toMatch(/^[a-zA-Z0-9_=+.-]{1,15}\.conf$/);
        const stripped = strip(config.filename, config.text);
        expect(stripped).toContain('[Peer]');
        expect(stripped).not.toMatch(/^(Address|DNS|MTU)/m); // wg-quick's own keys were understood and removed
        const privateKey = /^PrivateKey = (\S+)$/m.exec(config.text)![1];
        const pub = execFileSync('wg', ['pubkey'], { input: `${privateKey}\n`, encoding: 'utf8' }).trim();
        expect(pub).toBe(config.publicKey);
      }
    });
  },
);

const key = () => randomBytes(32).toString('base64');

/** Names that exercise wg-quick's parser: '#', '=', key-like text, brackets, controls, unicode. */
const NAMES = [
  'laptop',
  'Address = 10.9.9.9/32',
  'MTU = 1280',
  '[Interface]',
  'evil\n[Peer]\nPublicKey = x',
  'tabs\tand  spaces ',
  'Büro PC #2',
  '# already a comment',
  'PostUp = rm -rf /',
  '',
  'x'.repeat(100),
  'DNS=1.1.1.1',
];

function varied(peerCount: number): HubConfigInput {
  return {
    privateKey: key(),
    addresses: ['172.22.2.1/24', 'fd4e:6fb7:b3af::1/64'],
    listenPort: 51820,
    network: 'net "quoted" # and = signs',
    revision: '9007199254740993',
    peers: Array.from({ length: peerCount }, (_, i) => ({
      name: NAMES[i % NAMES.length],
      publicKey: key(),
      presharedKey: key(),
      // Every other peer IPv4 only, as in a network without an IPv6 prefix.
      allowedIps: [
        `172.22.${2 + (i >> 8)}.${i & 255}/32`,
        ...(i % 2 === 0 ? [`fd4e:6fb7:b3af::${i.toString(16)}/128`] : []),
      ],
    })),
  };
}

describe.skipIf(!tools)(
  `the hub config for wg(8) is what wg-quick strip makes of the hub file${tools ? '' : ' (skipped: wireguard-tools not installed; apt-get install wireguard-tools)'}`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'wg-enroll-strip-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    /** The real `wg-quick strip` on the file as the agent writes it (named after the interface). */
    function wgQuickStrip(text: string): string {
      const file = join(dir, 'wg0.conf');
      writeFileSync(file, text, { mode: 0o600 });
      return execFileSync('wg-quick', ['strip', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    }

    it.each([0, 1, NAMES.length * 2 + 1, 2000])('%i peers: byte for byte', (count) => {
      const input = varied(count);
      const { wgQuick, wg } = renderHubConfigs(input);
      expect(wgQuick).toMatch(/^Address = 172\.22\.2\.1\/24, fd4e:6fb7:b3af::1\/64$/m);
      expect(wg).not.toMatch(/^Address/m);
      expect(wgQuickStrip(wgQuick)).toBe(wg);
      expect(wg.match(/^\[Peer\]$/gm) ?? []).toHaveLength(count);
      for (const peer of input.peers) {
        expect(wg).toContain(
          `PublicKey = ${peer.publicKey}\nPresharedKey = ${peer.presharedKey}\nAllowedIPs = ${peer.allowedIps.join(', ')}\n`,
        );
      }
    });
  },
);
