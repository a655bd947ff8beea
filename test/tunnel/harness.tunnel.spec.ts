import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bringUpNode,
  createLab,
  hubInterface,
  latestHandshakes,
  leftovers,
  ping,
  continuousPing,
  wgDump,
  whyUnavailable,
  type Lab,
} from './support/netns';

// The harness itself, without the wg-enroll service: a hub and two nodes on real (user-space)
// WireGuard tunnels, configured by hand with wg set / a wg-quick config text.

const execFileAsync = promisify(execFile);
const reason = whyUnavailable();
if (reason !== null && process.env.CI) {
  throw new Error(`tunnel tests must run in CI, but the lab is unavailable: ${reason}`);
}

async function genkey(): Promise<{ privateKey: string; publicKey: string }> {
  const privateKey = (await execFileAsync('wg', ['genkey'])).stdout.trim();
  const pending = execFileAsync('wg', ['pubkey']);
  pending.child.stdin!.end(`${privateKey}\n`);
  const publicKey = (await pending).stdout.trim();
  return { privateKey, publicKey };
}

describe.skipIf(reason !== null)(
  `tunnel harness: hub and two nodes on wireguard-go${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let lab: Lab;
    let hubIf: string;
    const nodeIf: string[] = [];
    let hubKey: { privateKey: string; publicKey: string };
    const nodeKeys: { privateKey: string; publicKey: string }[] = [];

    beforeAll(async () => {
      lab = await createLab('hx', 2);
      hubIf = lab.ifname('hub');
      hubKey = await genkey();
      for (let i = 0; i < 2; i++) {
        nodeKeys.push(await genkey());
        nodeIf.push(lab.ifname(`n${i + 1}`));
      }

      await hubInterface(lab, hubIf, ['172.30.0.1/24', 'fd30::1/64']);
      const keyFile = join(lab.workDir, 'hub.key');
      await writeFile(keyFile, `${hubKey.privateKey}\n`, { mode: 0o600 });
      await lab.exec(lab.hubNs, 'wg', [
        'set',
        hubIf,
        'listen-port',
        '51820',
        'private-key',
        keyFile,
        'peer',
        nodeKeys[0].publicKey,
        'allowed-ips',
        '172.30.0.2/32,fd30::2/128',
        'peer',
        nodeKeys[1].publicKey,
        'allowed-ips',
        '172.30.0.3/32,fd30::3/128',
      ]);
      await lab.exec(lab.hubNs, 'sysctl', ['-w', 'net.ipv4.ip_forward=1']);
      await lab.exec(lab.hubNs, 'sysctl', ['-w', 'net.ipv6.conf.all.forwarding=1']);

      for (let i = 0; i < 2; i++) {
        const host = i + 2;
        const conf = [
          '[Interface]',
          `PrivateKey = ${nodeKeys[i].privateKey}`,
          `Address = 172.30.0.${host}/24, fd30::${host}/64`,
          '',
          '[Peer]',
          `PublicKey = ${hubKey.publicKey}`,
          `Endpoint = ${lab.hubUnderlay}:51820`,
          'AllowedIPs = 172.30.0.0/24, fd30::/64',
          'PersistentKeepalive = 25',
          '',
        ].join('\n');
        await bringUpNode(lab, lab.nodeNs[i], nodeIf[i], conf);
      }
    });

    afterAll(async () => {
      await lab?.destroy();
    });

    it('the lab has the promised names and underlay', async () => {
      expect(lab.hubNs).toBe('wge-hx-hub');
      expect(lab.nodeNs).toEqual(['wge-hx-n1', 'wge-hx-n2']);
      expect(lab.hubUnderlay).toBe(`10.213.${lab.octet}.1`);
      expect(lab.apiHost).toBe(`10.214.${lab.octet}.1`);
      // underlay: node → hub bridge, and hub → root over the uplink
      expect(await ping(lab, lab.nodeNs[0], lab.hubUnderlay, { count: 1 })).toEqual({ transmitted: 1, received: 1 });
      expect(await ping(lab, lab.hubNs, lab.apiHost, { count: 1 })).toEqual({ transmitted: 1, received: 1 });
    });

    it('a process in the hub namespace reaches an HTTP server listening on apiHost in the root namespace', async () => {
      const server = createServer((req, res) => res.end(`hello ${req.socket.remoteAddress}`));
      await new Promise<void>((resolve) => server.listen(0, lab.apiHost, resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const url = `http://${lab.apiHost}:${port}/`;
        // node itself as the client: async exec, so this process keeps serving meanwhile
        const body = await lab.exec(lab.hubNs, process.execPath, [
          '-e',
          `fetch(${JSON.stringify(url)}).then((r) => r.text()).then((t) => process.stdout.write(t))`,
        ]);
        expect(body).toBe(`hello ${lab.hubUplink}`);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('each node reaches the hub over IPv4 and IPv6 through its tunnel', async () => {
      for (const ns of lab.nodeNs) {
        expect(await ping(lab, ns, '172.30.0.1', { count: 3 })).toEqual({ transmitted: 3, received: 3 });
        expect(await ping(lab, ns, 'fd30::1', { count: 3 })).toEqual({ transmitted: 3, received: 3 });
      }
      const handshakes = await latestHandshakes(lab, lab.hubNs, hubIf);
      const now = Date.now() / 1000;
      for (const key of nodeKeys) {
        expect(handshakes.get(key.publicKey)).toBeGreaterThan(now - 120);
      }
    });

    it('node1 reaches node2 through the hub (the hub forwards), IPv4 and IPv6', async () => {
      expect(await ping(lab, lab.nodeNs[0], '172.30.0.3', { count: 3 })).toEqual({ transmitted: 3, received: 3 });
      expect(await ping(lab, lab.nodeNs[0], 'fd30::3', { count: 3 })).toEqual({ transmitted: 3, received: 3 });
      const pinger = continuousPing(lab, lab.nodeNs[1], '172.30.0.2', 0.05);
      await new Promise((resolve) => setTimeout(resolve, 600));
      const result = await pinger.stop();
      expect(result.transmitted).toBeGreaterThanOrEqual(5);
      expect(result.received).toBe(result.transmitted);
    });

    it('wg show dump is parsed: the node sees the hub as served, with traffic and a handshake', async () => {
      const dump = await wgDump(lab, lab.nodeNs[0], nodeIf[0]);
      expect(dump.interface.publicKey).toBe(nodeKeys[0].publicKey);
      expect(dump.peers).toHaveLength(1);
      const [hub] = dump.peers;
      expect(hub.publicKey).toBe(hubKey.publicKey);
      expect(hub.endpoint).toBe(`${lab.hubUnderlay}:51820`);
      expect([...hub.allowedIps].sort()).toEqual(['172.30.0.0/24', 'fd30::/64']);
      expect(hub.latestHandshake).toBeGreaterThan(0);
      expect(hub.rxBytes).toBeGreaterThan(0);
      expect(hub.txBytes).toBeGreaterThan(0);
      // What the dump parser leaves out, straight from wg.
      const field = (name: string) => lab.exec(lab.nodeNs[0], 'wg', ['show', nodeIf[0], name]);
      expect(await field('fwmark')).toBe('off\n');
      expect(await field('preshared-keys')).toBe(`${hubKey.publicKey}\t(none)\n`);
      expect(await field('persistent-keepalive')).toBe(`${hubKey.publicKey}\t25\n`);
      const hubDump = await wgDump(lab, lab.hubNs, hubIf);
      expect(hubDump.interface.listenPort).toBe(51820);
      // wireguard-go lists peers in Go map order (it changes from run to run): match by key.
      const byKey = new Map(hubDump.peers.map((p) => [p.publicKey, [...p.allowedIps].sort()]));
      expect(byKey).toEqual(
        new Map([
          [nodeKeys[0].publicKey, ['172.30.0.2/32', 'fd30::2/128']],
          [nodeKeys[1].publicKey, ['172.30.0.3/32', 'fd30::3/128']],
        ]),
      );
    });

    it('destroy() removes everything and is safe to call twice', async () => {
      await lab.destroy();
      await lab.destroy();
      expect(await leftovers(lab)).toEqual([]);
    });
  },
);
