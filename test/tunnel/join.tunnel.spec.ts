import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rememberSecret } from '../support/app';
import { BROWSER_MISSING, openBrowser, type BrowserSession } from '../support/browser';
import { answerDeviceLogin, signInEnv, startTestProvider, type TestProvider } from '../support/oidc-op';
import { FETCH_AND_RUN, SYSTEM_PATH, toolsWithout } from '../support/join-script';
import { LOG_DIR } from '../support/paths';
import { ping, whyUnavailable } from './support/netns';
import { createNetwork, createToken } from '../support/api';
import { Stack, waitFor } from './support/service';

// The join script on real tunnels: a node namespace fetches GET /join.sh with curl and runs it
// with dash against the real service and hub agent; wg-quick brings the interface up on
// wireguard-go. Proven: the tunnel answers IPv4 and IPv6 pings within 1 s of the script's end;
// no private key reaches the server (database rows, logs); a second run makes no second peer;
// --reissue changes the key and the old one leaves the hub; --systemd and --nmcli run the
// command they name (PATH shims that record argv, then bring the file up); each bad input ends
// with its exit code, no file, no interface and no peer. --login: the person answers the real
// OpenID Provider's device page in Chromium; the node enrolls as their device, the tunnel
// answers; a lost file makes no second device of that name; the device limit has its exit code.

const reason = whyUnavailable();
if (reason !== null && process.env.CI) {
  throw new Error(`tunnel tests must run in CI, but the lab is unavailable: ${reason}`);
}

const NETWORK = { name: 'joinnet', ipv4Cidr: '172.29.40.0/24', ipv6Cidr: 'fd29:40::/64', persistentKeepalive: 25 };
const measured: Record<string, unknown> = {};

describe.skipIf(reason !== null)(
  `join script on real tunnels (dash, curl, wg-quick on wireguard-go)${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let stack: Stack;
    let node: string;
    let proxy: Server;
    let server = '';
    let dir = '';
    let shims = '';
    let db: Client;
    let op: TestProvider;
    let browser: BrowserSession | null = null;

    /** Runs the served script in the node namespace: `curl -fsS $server/join.sh | dash -s -- args`. */
    async function join_(args: string[], env: Record<string, string> = {}) {
      const proc = startJoin(args, env);
      const code = await proc.exited;
      const output = proc.output();
      writeFileSync(join(LOG_DIR, `join-script-${proc.pid}.log`), output);
      return { code, output, endedAt: Date.now() };
    }

    function startJoin(args: string[], env: Record<string, string> = {}) {
      const { PATH: scriptPath = SYSTEM_PATH, ...rest } = env;
      return stack.lab.spawn(
        node,
        '/bin/sh',
        [
          '-c',
          FETCH_AND_RUN,
          'join',
          // The served default is PUBLIC_URL (127.0.0.1 of the root namespace here): name the relay.
          '--server',
          server,
          ...args,
        ],
        {
          env: {
            PATH: SYSTEM_PATH,
            SCRIPT_PATH: scriptPath,
            JOIN_URL: server,
            WG_QUICK_USERSPACE_IMPLEMENTATION: 'wireguard-go',
            WG_ENROLL_MACHINE_ID_FILE: join(stack.lab.workDir, 'machine-id'),
            JOIN_DIR: dir,
            SHIM_LOG: join(shims, 'argv.log'),
            ...rest,
          },
        },
      );
    }

    /** join.sh --login, with `login` answering the provider's device page when the script shows it. */
    async function joinWithLogin(args: string[], login: string, answer: 'approve' | 'abort' = 'approve') {
      const proc = startJoin(['--login', '--network', NETWORK.name, ...args]);
      const url = await waitFor('the sign-in URL', () => /\(or open (\S+)\)/.exec(proc.output())?.[1], 30_000);
      await answerDeviceLogin(browser!.browser, url, login, answer);
      const code = await proc.exited;
      const output = proc.output();
      writeFileSync(join(LOG_DIR, `join-script-${proc.pid}.log`), output);
      return { code, output, endedAt: Date.now() };
    }

    /** The first node's join, with the enrollment key (run twice: the second changes nothing). */
    function firstJoin(): string[] {
      return [
        '--key',
        stack.enrollmentKey,
        '--name',
        'sim-node-1',
        '--interface',
        stack.lab.ifname('j1'),
        '--dir',
        dir,
      ];
    }

    /** The `join --login` tokens that are neither revoked nor expired. */
    async function liveLoginTokens(): Promise<number> {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM api_token WHERE name = 'join --login' AND revoked_at IS NULL AND expires_at > now()`,
      );
      return rows[0].n as number;
    }

    async function peers(): Promise<{ id: string; name: string; public_key: string; status: string }[]> {
      return (await db.query('SELECT id, name, public_key, status FROM peer ORDER BY created_at')).rows;
    }

    async function nodeLinks(): Promise<string> {
      return stack.lab.exec(node, 'ip', ['-o', 'link', 'show']);
    }

    function privateKeyIn(file: string): string {
      const key = /^PrivateKey = (\S+)$/m.exec(readFileSync(file, 'utf8'))![1];
      rememberSecret(key);
      return key;
    }

    function publicKeyOf(privateKey: string): string {
      return execFileSync('wg', ['pubkey'], { input: `${privateKey}\n` })
        .toString()
        .trim();
    }

    /** Every row of every table of the service's database, as text. */
    async function databaseDump(): Promise<string> {
      const tables = (
        await db.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'")
      ).rows.map((r) => r.t);
      const parts: string[] = [];
      for (const t of tables) {
        const rows = await db.query<{ r: string }>(`SELECT x::text AS r FROM "${t}" x`);
        parts.push(...rows.rows.map((r) => r.r));
      }
      return parts.join('\n');
    }

    function allLogs(): string {
      return readdirSync(LOG_DIR)
        .map((f) => readFileSync(join(LOG_DIR, f), 'utf8'))
        .join('\n');
    }

    async function pingBoth(addresses: string[]) {
      return Promise.all(addresses.map((a) => ping(stack.lab, node, a, { count: 1, timeoutS: 1 })));
    }

    beforeAll(async () => {
      // The provider's redirect URI does not matter to the device grant.
      op = await startTestProvider('http://127.0.0.1');
      stack = await Stack.start('joinsh', 1, NETWORK, { apiEnv: signInEnv(op) });
      if (BROWSER_MISSING === '') {
        browser = await openBrowser();
      }
      node = stack.lab.nodeNs[0];
      const x = stack.lab.octet;
      db = new Client({ connectionString: stack.databaseUrl });
      await db.connect();
      // The node reaches the service as a real node would, over its network: node → hub (which
      // forwards) → the root namespace, where a TCP relay on the uplink address leads to the API.
      await stack.lab.exec(node, 'ip', ['route', 'add', `10.214.${x}.0/30`, 'via', stack.lab.hubUnderlay]);
      await stack.lab.exec(stack.lab.hubNs, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
      execFileSync('ip', ['route', 'add', `10.213.${x}.0/24`, 'via', stack.lab.hubUplink, 'dev', stack.lab.rootLink]);
      const apiPort = Number(new URL(stack.url).port);
      proxy = createServer((socket) => {
        const upstream = createConnection(apiPort, '127.0.0.1');
        socket.pipe(upstream).pipe(socket);
        const close = () => {
          socket.destroy();
          upstream.destroy();
        };
        socket.on('error', close);
        upstream.on('error', close);
      });
      await new Promise<void>((resolve) => proxy.listen(0, stack.lab.apiHost, resolve));
      server = `http://${stack.lab.apiHost}:${(proxy.address() as { port: number }).port}`;
      dir = join(stack.lab.workDir, 'etc-wireguard');
      mkdirSync(dir, { mode: 0o700 });
      writeFileSync(join(stack.lab.workDir, 'machine-id'), '5f1c0ffee0ddba11cafe0000feed0001\n');
      // Shims for the commands this machine cannot run (no systemd as PID 1, no NetworkManager):
      // they record their argv, then bring the file up as the real service would.
      shims = join(stack.lab.workDir, 'shims');
      mkdirSync(shims);
      writeFileSync(
        join(shims, 'systemctl'),
        '#!/bin/sh\nprintf "systemctl %s\\n" "$*" >>"$SHIM_LOG"\n' +
          '[ "$1 $2" = "enable --now" ] || exit 64\nexec wg-quick up "$JOIN_DIR/${3#wg-quick@}.conf"\n',
      );
      writeFileSync(
        join(shims, 'nmcli'),
        '#!/bin/sh\nprintf "nmcli %s\\n" "$*" >>"$SHIM_LOG"\n' +
          '[ "$1 $2 $3" = "connection delete id" ] && exec wg-quick down "$JOIN_DIR/$4.conf"\n' +
          '[ "$1 $2 $3 $4 $5" = "connection import type wireguard file" ] || exit 64\nexec wg-quick up "$6"\n',
      );
      chmodSync(join(shims, 'systemctl'), 0o755);
      chmodSync(join(shims, 'nmcli'), 0o755);
    });

    afterAll(async () => {
      // eslint-disable-next-line no-console
      console.log(`join tunnel measurements: ${JSON.stringify(measured)}`);
      proxy?.close();
      await db?.end().catch(() => undefined);
      await stack?.destroy();
      await browser?.close();
      rememberSecret(...(op?.deviceCodes ?? []));
      await op?.close();
    });

    it('joins with the one-liner: tunnel answers v4 and v6 within 1 s of the end; no private key on the server', async () => {
      const ifname = stack.lab.ifname('j1');
      const started = Date.now();
      const run = await join_(firstJoin());
      measured.joinMs = run.endedAt - started;
      expect(run.code, run.output).toBe(0);
      expect(run.output.trim().split('\n')).toHaveLength(1);
      expect(run.output).toContain(
        `${ifname} is up and the hub answers at ${stack.hubAddresses.map((c) => c.split('/')[0]).join(' ')}`,
      );
      const hub = stack.hubAddresses.map((c) => c.split('/')[0]);
      const results = await pingBoth(hub);
      measured.pingAfterEndMs = Date.now() - run.endedAt;
      expect(results.map((r) => r.received)).toEqual([1, 1]);
      expect(Date.now() - run.endedAt).toBeLessThan(1_000);

      const file = join(dir, `${ifname}.conf`);
      const privateKey = privateKeyIn(file);
      const [peer] = (await peers()).filter((p) => p.name === 'sim-node-1');
      expect(publicKeyOf(privateKey)).toBe(peer.public_key);
      expect(await stack.hubKeys()).toContain(peer.public_key);
      expect(await databaseDump()).not.toContain(privateKey);
      expect(allLogs()).not.toContain(privateKey);
      expect(stack.apiProcess!.output()).not.toContain(privateKey);
      expect(run.output).not.toContain(privateKey);
    });

    it('a second run makes no second peer; --reissue changes the key and the old one leaves the hub', async () => {
      const ifname = stack.lab.ifname('j1');
      const file = join(dir, `${ifname}.conf`);
      const before = await peers();
      const again = await join_(firstJoin());
      expect(again.code, again.output).toBe(0);
      expect(again.output).toMatch(/already joined as peer [0-9a-f-]{36}/);
      expect(await peers()).toEqual(before);

      const oldKey = publicKeyOf(privateKeyIn(file));
      const args = ['--token', stack.adminToken, '--network', NETWORK.name, '--name', 'sim-node-1'];
      const reissued = await join_([...args, '--interface', ifname, '--dir', dir, '--reissue']);
      expect(reissued.code, reissued.output).toBe(0);
      const newKey = publicKeyOf(privateKeyIn(file));
      expect(newKey).not.toBe(oldKey);
      const hubKeys = await stack.hubKeys();
      expect(hubKeys).toContain(newKey);
      expect(hubKeys).not.toContain(oldKey);
      const after = await peers();
      expect(after.map((p) => p.id)).toEqual(before.map((p) => p.id)); // the same peer, no second one
      expect(after.find((p) => p.name === 'sim-node-1')!.public_key).toBe(newKey);
      const results = await pingBoth(stack.hubAddresses.map((c) => c.split('/')[0]));
      expect(results.map((r) => r.received)).toEqual([1, 1]);
    });

    it('--systemd and --nmcli run the command they name, and the tunnel answers', async () => {
      const shimLog = join(shims, 'argv.log');
      for (const [mode, suffix, expected] of [
        ['--systemd', 'j2', (i: string) => `systemctl enable --now wg-quick@${i}`],
        ['--nmcli', 'j3', (i: string) => `nmcli connection import type wireguard file ${dir}/${i}.conf`],
      ] as const) {
        const ifname = stack.lab.ifname(suffix);
        const run = await join_(
          ['--key', stack.enrollmentKey, '--name', `sim-${suffix}`, '--interface', ifname, '--dir', dir, mode],
          { PATH: `${shims}:${SYSTEM_PATH}` },
        );
        expect(run.code, run.output).toBe(0);
        expect(readFileSync(shimLog, 'utf8').trim().split('\n').at(-1)).toBe(expected(ifname));
        privateKeyIn(join(dir, `${ifname}.conf`));
      }
      // --reissue --nmcli: the old NetworkManager connection goes before the new one comes in.
      const ifname = stack.lab.ifname('j3');
      const file = join(dir, `${ifname}.conf`);
      const oldKey = publicKeyOf(privateKeyIn(file));
      const reissued = await join_(
        [
          ...['--token', stack.adminToken, '--network', NETWORK.name, '--name', 'sim-j3'],
          ...['--interface', ifname, '--dir', dir, '--nmcli', '--reissue'],
        ],
        { PATH: `${shims}:${SYSTEM_PATH}` },
      );
      expect(reissued.code, reissued.output).toBe(0);
      expect(readFileSync(shimLog, 'utf8').trim().split('\n').slice(-2)).toEqual([
        `nmcli connection delete id ${ifname}`,
        `nmcli connection import type wireguard file ${dir}/${ifname}.conf`,
      ]);
      const newKey = publicKeyOf(privateKeyIn(file));
      expect(newKey).not.toBe(oldKey);
      const hubKeys = await stack.hubKeys();
      expect(hubKeys).toContain(newKey);
      expect(hubKeys).not.toContain(oldKey);
    });

    it('--login: the person signs in on the provider page; the node joins as their device and the tunnel answers', async (ctx) => {
      if (browser === null) {
        ctx.skip(`no browser for the provider's device page: ${BROWSER_MISSING}`);
      }
      const patched = await fetch(`${stack.url}/v1/networks/${NETWORK.name}`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${stack.adminToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ selfService: true, devicesPerUser: 1 }),
      });
      expect(patched.status, await patched.text()).toBe(200);
      const ifname = stack.lab.ifname('jl');
      const file = join(dir, `${ifname}.conf`);
      const args = ['--name', 'sim-login', '--interface', ifname, '--dir', dir];
      const hub = stack.hubAddresses.map((c) => c.split('/')[0]);

      const run = await joinWithLogin(args, 'alice');
      expect(run.code, run.output).toBe(0);
      const lines = run.output.trim().split('\n');
      expect(lines[0]).toMatch(
        /to sign in, open http:\/\/127\.0\.0\.1:\d+\/device on any device and enter the code \S+/,
      );
      expect(lines.at(-1)).toContain(`${ifname} is up and the hub answers at ${hub.join(' ')}`);
      expect((await pingBoth(hub)).map((r) => r.received)).toEqual([1, 1]);
      measured.loginPingAfterEndMs = Date.now() - run.endedAt;
      const alice = (await db.query(`SELECT id FROM app_user WHERE email = 'alice@example.org'`)).rows[0].id as string;
      const [peer] = (await db.query('SELECT id, owner_id, public_key FROM peer WHERE name = $1', ['sim-login'])).rows;
      expect(peer.owner_id).toBe(`user:${alice}`);
      expect(publicKeyOf(privateKeyIn(file))).toBe(peer.public_key);
      const audit = (
        await db.query(`SELECT actor FROM audit_event WHERE action = 'peer.enrolled' AND target_id = $1`, [peer.id])
      ).rows;
      expect(audit.map((a) => a.actor)).toEqual([`user:${alice}`]);
      // The token of minutes the sign-in gave the script was revoked as it ended.
      expect(await liveLoginTokens()).toBe(0);
      // Nothing secret on the node's screen or in the service's logs.
      expect(run.output).not.toMatch(/wg[tdk]_|PrivateKey/);
      for (const code of op.deviceCodes) {
        expect(allLogs()).not.toContain(code);
        expect(stack.apiProcess!.output()).not.toContain(code);
      }
      expect(stack.apiProcess!.output()).not.toMatch(/wgd_[A-Za-z0-9_-]{20}/);

      // Run again with the file: reported, no sign-in asked for, nothing changed.
      const before = await peers();
      const again = await join_(['--login', '--network', NETWORK.name, ...args]);
      expect(again.code, again.output).toBe(0);
      expect(again.output).toMatch(/already joined as peer/);

      // The file is lost (the tunnel down first): the person's live device of that name is found,
      // and nothing is enrolled twice; --login --reissue replaces its key here.
      await stack.lab.exec(node, 'wg-quick', ['down', file]);
      rmSync(file);
      const lost = await joinWithLogin(args, 'alice');
      expect(lost.code, lost.output).toBe(10);
      expect(lost.output.trim().split('\n').at(-1)).toMatch(
        new RegExp(`you have a device sim-login in ${NETWORK.name} already \\(peer ${peer.id}\\)`),
      );
      expect(await peers()).toEqual(before);
      expect(existsSync(file)).toBe(false);
      const reissued = await joinWithLogin([...args, '--reissue'], 'alice');
      expect(reissued.code, reissued.output).toBe(0);
      const newKey = publicKeyOf(privateKeyIn(file));
      expect(newKey).not.toBe(peer.public_key);
      const hubKeys = await stack.hubKeys();
      expect(hubKeys).toContain(newKey);
      expect(hubKeys).not.toContain(peer.public_key);
      expect((await peers()).map((p) => p.id)).toEqual(before.map((p) => p.id));
      expect((await pingBoth(hub)).map((r) => r.received)).toEqual([1, 1]);

      // One device per person here: a second name is past the limit (its own exit code).
      const bad = join(stack.lab.workDir, 'login-limit');
      mkdirSync(bad, { mode: 0o700 });
      const limited = await joinWithLogin(['--name', 'sim-login-2', '--dir', bad], 'alice');
      expect(limited.code, limited.output).toBe(15);
      expect(limited.output).toMatch(/device-limit-reached/);
      expect(readdirSync(bad)).toEqual([]);
      expect(await liveLoginTokens()).toBe(0); // revoked on a failed run too
      // Denied at the provider: exit 14, nothing installed, no peer.
      const denied = await joinWithLogin(['--name', 'sim-login-3', '--dir', bad], 'bob', 'abort');
      expect(denied.code, denied.output).toBe(14);
      expect(denied.output).toMatch(/denied at the identity provider/);
      expect(readdirSync(bad)).toEqual([]);
      expect((await peers()).map((p) => p.id)).toEqual(before.map((p) => p.id));
    });

    it('each bad input: its exit code, one line, no file, no interface, no peer left', async () => {
      const bad = join(stack.lab.workDir, 'bad');
      mkdirSync(bad, { mode: 0o700 });
      await createNetwork(stack.api, {
        name: 'nohub',
        ipv4Cidr: '172.29.41.0/24',
        endpoint: `${stack.lab.hubUnderlay}:51821`,
      });
      const nohubToken = (await createToken(stack.api, { name: 'nohub nodes', role: 'requester', network: 'nohub' }))
        .token;
      rememberSecret(nohubToken);
      const existing = stack.lab.ifname('jx');
      await stack.lab.exec(node, 'ip', ['tuntap', 'add', 'dev', existing, 'mode', 'tun']);
      const noWg = toolsWithout(join(stack.lab.workDir, 'no-wg'), 'wg');
      const peersBefore = await peers();
      const linksBefore = await nodeLinks();
      const cases: { args: string[]; code: number; says: RegExp; env?: Record<string, string> }[] = [
        { args: ['--key', `wgk_${'z'.repeat(43)}`], code: 7, says: /refused the key or token \(invalid-credential/ },
        { args: ['--token', nohubToken], code: 8, says: /network nohub has no registered hub yet/ },
        {
          args: ['--key', stack.enrollmentKey, '--interface', existing],
          code: 5,
          says: new RegExp(`an interface named ${existing} exists`),
        },
        { args: ['--key', stack.enrollmentKey], code: 3, says: /wg is missing/, env: { PATH: noWg } },
        {
          args: ['--key', stack.enrollmentKey, '--server', `http://${stack.lab.apiHost}:9`],
          code: 6,
          says: /cannot reach/,
        },
      ];
      for (const c of cases) {
        const run = await join_([...c.args, '--name', 'bad-input', '--dir', bad], c.env ?? {});
        expect(run.code, `${c.args[0]} ${run.output}`).toBe(c.code);
        expect(run.output).toMatch(c.says);
        expect(run.output.trim().split('\n')).toHaveLength(1);
        expect(readdirSync(bad)).toEqual([]);
      }
      expect(await peers()).toEqual(peersBefore);
      expect(await nodeLinks()).toBe(linksBefore);
      expect(existsSync(join(bad, 'bad_input.conf'))).toBe(false);
    });
  },
);
