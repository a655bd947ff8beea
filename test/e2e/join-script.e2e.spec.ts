import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOIN_SCRIPT_FILE } from '../../src/web/web-files';
import { Api } from '../support/api';
import { bearer, rememberSecret, startTestApp, type TestApp } from '../support/app';
import { runCli, runProcess } from '../support/process';
import { FETCH_AND_RUN, SYSTEM_PATH, toolsWithout } from '../support/join-script';
import { buildDist } from '../support/replica';

/**
 * GET /join.sh serves deploy/join.sh, and the served script (fetched with curl, run by dash)
 * enrolls with a key made on the node. `--no-up` needs no interface, so this runs in the normal
 * suite; bringing tunnels up is proven in test/tunnel/join.tunnel.spec.ts.
 */
let t: TestApp;
let api: Api;
let work: string;
let key: string;
let notWgEnroll: Server;

beforeAll(async () => {
  buildDist(); // for `wg-enroll join` (bin/wg-enroll.js runs dist/)
  t = await startTestApp();
  api = new Api(t);
  await api.createNetwork({ name: 'joinnet', ipv4Cidr: '10.93.0.0/24', ipv6Cidr: 'fd93::/64' });
  await api.createNetworkWithoutHub({ name: 'nohub', ipv4Cidr: '10.94.0.0/24' });
  key = await api.enrollmentKey('joinnet', { maxUses: 50 });
  work = mkdtempSync(join(tmpdir(), 'wge-join-'));
  machineId('m1');
  machineId('m2');
  notWgEnroll = createServer((_req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end('{"hello":"world"}');
  });
  await new Promise<void>((resolve) => notWgEnroll.listen(0, '127.0.0.1', resolve));
}, 120_000);
afterAll(async () => {
  notWgEnroll?.close();
  rmSync(work, { recursive: true, force: true });
  await t?.close();
});

function machineId(name: string): string {
  const file = join(work, `machine-id-${name}`);
  if (!existsSync(file)) {
    writeFileSync(file, `${name.padEnd(32, '0')}\n`);
  }
  return file;
}

interface Run {
  code: number | null;
  output: string;
}

/** `curl -fsS <url>/join.sh | dash -s -- args`, as a node would run it (the script's PATH: env.PATH). */
async function join_(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const { PATH: scriptPath = SYSTEM_PATH, ...rest } = env;
  const proc = runProcess('/bin/sh', ['-c', FETCH_AND_RUN, 'join', ...args], {
    PATH: SYSTEM_PATH,
    SCRIPT_PATH: scriptPath,
    JOIN_URL: t.url,
    WG_ENROLL_MACHINE_ID_FILE: machineId('m1'),
    ...rest,
  });
  const code = await proc.exited;
  return { code, output: proc.output() };
}

async function peersNamed(name: string): Promise<{ id: string; public_key: string; private_key_enc: unknown }[]> {
  const r = await t.sql.query<{ id: string; public_key: string; private_key_enc: unknown }>(
    'SELECT id, public_key, private_key_enc FROM peer WHERE name = $1 ORDER BY created_at',
    [name],
  );
  return r.rows;
}

function pubkeyOf(configText: string): string {
  const privateKey = /^PrivateKey = (\S+)$/m.exec(configText)![1];
  rememberSecret(privateKey);
  return execFileSync('wg', ['pubkey'], { input: `${privateKey}\n` })
    .toString()
    .trim();
}

function dirFor(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

describe('GET /join.sh', () => {
  it('serves deploy/join.sh as text, public, with only its server line set to this service', async () => {
    const res = await t.http.get('/join.sh').expect(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    const file = readFileSync(JOIN_SCRIPT_FILE, 'utf8');
    const line = /^JOIN_SERVER_DEFAULT=.*$/m.exec(res.text)![0];
    expect(line).toBe(`JOIN_SERVER_DEFAULT='${t.url}'`);
    expect(res.text.replace(line, "JOIN_SERVER_DEFAULT=''")).toBe(file);
  });

  it('is public in the spec (security: [])', async () => {
    const spec = (await t.http.get('/openapi.json').expect(200)).body as {
      paths: Record<string, { get?: { security?: unknown[] } }>;
    };
    expect(spec.paths['/join.sh'].get?.security).toEqual([]);
  });

  it('names the peer in Location on a 201, also when the body is the bare .conf', async () => {
    const res = await t.http
      .post('/v1/networks/joinnet/peers')
      .set(bearer(key))
      .set('Accept', 'text/plain')
      .send({ name: 'location-check' })
      .expect(201);
    const [peer] = await peersNamed('location-check');
    expect(res.headers.location).toBe(`/v1/peers/${peer.id}`);
    const reissued = await t.http.post(`/v1/peers/${peer.id}/reissue`).set(bearer(t.adminToken)).send({}).expect(201);
    expect(reissued.headers.location).toBe(`/v1/peers/${peer.id}`);
  });
});

describe('the served script, --no-up (no interface)', () => {
  it('prints its options and exit codes with --help', async () => {
    const run = await join_(['--help']);
    expect(run.code).toBe(0);
    expect(run.output).toContain('--reissue');
    expect(run.output).toMatch(/^ {2}13 {2}--reissue is not possible/m);
  });

  it('enrolls with a key made here: 0600 file, atomically written, the server never has the private key', async () => {
    const dir = dirFor('first');
    const run = await join_(['--key', key, '--name', 'Node-One', '--no-up', '--dir', dir]);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/installed .*node_one\.conf for peer [0-9a-f-]{36} in joinnet/);
    expect(readdirSync(dir)).toEqual(['node_one.conf']); // no temporary file left
    const file = join(dir, 'node_one.conf');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    const [peer] = await peersNamed('Node-One');
    expect(pubkeyOf(text)).toBe(peer.public_key);
    expect(peer.private_key_enc).toBeNull();
    expect(text).toMatch(new RegExp(`^# wg-enroll join: peer=${peer.id} machine=[0-9a-f]{32} publickey=`));
    expect(text).not.toContain('<the private key');
    // The private key is in no output and no row of the database.
    const privateKey = /^PrivateKey = (\S+)$/m.exec(text)![1];
    expect(run.output).not.toContain(privateKey);
    const dump = await t.sql.query('SELECT p::text AS row FROM peer p');
    expect(dump.rows.map((r: { row: string }) => r.row).join('\n')).not.toContain(privateKey);
  });

  it('run again: reports the existing peer and changes nothing; lost file: no second peer (exit 10)', async () => {
    const dir = dirFor('twice');
    expect((await join_(['--key', key, '--name', 'twice', '--no-up', '--dir', dir])).code).toBe(0);
    const before = readFileSync(join(dir, 'twice.conf'), 'utf8');
    const again = await join_(['--key', key, '--name', 'twice', '--no-up', '--dir', dir]);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toMatch(/already joined as peer [0-9a-f-]{36} with .*twice\.conf; nothing changed/);
    expect(readFileSync(join(dir, 'twice.conf'), 'utf8')).toBe(before);
    expect(await peersNamed('twice')).toHaveLength(1);
    rmSync(join(dir, 'twice.conf'));
    const lost = await join_(['--key', key, '--name', 'twice', '--no-up', '--dir', dir]);
    expect(lost.code, lost.output).toBe(10);
    expect(lost.output).toContain('already enrolled twice in joinnet');
    expect(await peersNamed('twice')).toHaveLength(1);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('never reuses a file made on another machine, nor one it did not make (exit 5)', async () => {
    const dir = dirFor('copied');
    expect((await join_(['--key', key, '--name', 'copied', '--no-up', '--dir', dir])).code).toBe(0);
    const other = await join_(['--key', key, '--name', 'copied', '--no-up', '--dir', dir], {
      WG_ENROLL_MACHINE_ID_FILE: machineId('m2'),
    });
    expect(other.code, other.output).toBe(5);
    expect(other.output).toContain('was made on another machine');
    const foreign = join(dir, 'foreign.conf');
    writeFileSync(foreign, '[Interface]\nPrivateKey = x\n', { mode: 0o600 });
    const notOurs = await join_(['--key', key, '--name', 'foreign', '--no-up', '--dir', dir]);
    expect(notOurs.code, notOurs.output).toBe(5);
    expect(notOurs.output).toContain('was not made by this script');
    expect(await peersNamed('foreign')).toHaveLength(0);
    expect(readFileSync(foreign, 'utf8')).toBe('[Interface]\nPrivateKey = x\n');
    expect(await peersNamed('copied')).toHaveLength(1);
  });

  it('each bad input: its exit code, one line, nothing in the folder, no peer', async () => {
    const dir = dirFor('bad');
    const peersBefore = (await t.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM peer')).rows[0].n;
    const spent = await api.enrollmentKey('joinnet', { maxUses: 1 });
    expect((await api.enroll('joinnet', spent, { name: 'spends-it' })).status).toBe(201);
    const nohubKey = await api.enrollmentKey('nohub', { maxUses: 5 });
    // A PATH with the tools the script uses, but without curl.
    // PATHs with the tools the script uses, but without curl, or without wg-quick.
    const noCurl = toolsWithout(join(work, 'no-curl-bin'), 'curl');
    const noWgQuick = toolsWithout(join(work, 'no-wg-quick-bin'), 'wg-quick');
    const readOnly = join(work, 'read-only');
    mkdirSync(readOnly, { mode: 0o500 });
    chmodSync(readOnly, 0o500);
    chmodSync(work, 0o711); // so that another user reaches read-only/
    const cases: {
      args: string[];
      code: number;
      says: RegExp;
      env?: Record<string, string>;
      server?: string;
      up?: true;
    }[] = [
      {
        args: ['--key', `wgk_${'x'.repeat(43)}`, '--name', 'wrong-key'],
        code: 7,
        says: /refused the key or token \(invalid-credential/,
      },
      { args: ['--key', spent, '--name', 'spent-key'], code: 7, says: /enrollment-key-spent/ },
      { args: ['--key', nohubKey, '--name', 'no-hub'], code: 8, says: /network nohub has no registered hub yet/ },
      {
        args: ['--key', key, '--name', 'not-ours'],
        code: 6,
        says: /is not a wg-enroll service/,
        server: `http://127.0.0.1:${(notWgEnroll.address() as AddressInfo).port}`,
      },
      { args: ['--key', key, '--name', 'no-curl'], code: 3, says: /curl is missing/, env: { PATH: noCurl } },
      {
        args: ['--key', key, '--name', 'no-wg-quick'],
        code: 3,
        says: /wg-quick is missing/,
        env: { PATH: noWgQuick },
        up: true,
      },
      {
        args: ['--login', '--network', 'joinnet', '--name', 'login'],
        code: 12,
        says: /has no sign-in \(OIDC_ISSUER is not set\): use --key or --token/,
      },
      { args: ['--login', '--name', 'login-no-network'], code: 2, says: /--login needs --network/ },
      { args: ['--name', 'no-credential'], code: 2, says: /give an enrollment key/ },
      { args: ['--key', key, '--name', 'bad name!'], code: 2, says: /--name must be/ },
      { args: ['--key', key, '--name', 'reissue-nothing', '--reissue'], code: 13, says: /--reissue replaces a config/ },
      { args: ['--key', key, '--name', 'unknown-net', '--network', 'nosuch'], code: 8, says: /has no network nosuch/ },
    ];
    for (const c of cases) {
      const upArgs = c.up ? [] : ['--no-up'];
      const serverArgs = c.server === undefined ? [] : ['--server', c.server];
      const run = await join_([...c.args, ...upArgs, '--dir', dir, ...serverArgs], c.env ?? {});
      expect(run.code, `${c.args.join(' ')}: ${run.output}`).toBe(c.code);
      expect(run.output).toMatch(c.says);
      expect(run.output.trim().split('\n'), run.output).toHaveLength(1);
      expect(readdirSync(dir), c.args.join(' ')).toEqual([]);
    }
    // Not writable (as a user other than root): exit 4, nothing made.
    const asNobody = (args: string[]) =>
      runProcess(
        '/usr/bin/setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', 'dash', JOIN_SCRIPT_FILE, ...args, '--server', t.url],
        { PATH: SYSTEM_PATH },
      );
    const readOnlyRun = asNobody(['--key', key, '--name', 'no-root', '--no-up', '--dir', readOnly]);
    expect(await readOnlyRun.exited, readOnlyRun.output()).toBe(4);
    expect(readOnlyRun.output()).toContain(`cannot write in ${readOnly}`);
    const upRun = asNobody(['--key', key, '--name', 'no-root']);
    expect(await upRun.exited, upRun.output()).toBe(4);
    expect(upRun.output()).toContain('needs root');
    expect(readdirSync(readOnly)).toEqual([]);
    const peersAfter = (await t.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM peer')).rows[0].n;
    expect(peersAfter).toBe(peersBefore + 1); // only the one that spent the key
  });
});

describe('a server that answers like wg-enroll but sends commands', () => {
  it('refuses a config with PostUp (wg-quick would run it as root): exit 6, nothing installed', async () => {
    const evil = createServer((req, res) => {
      if (req.url === '/v1/whoami') {
        res.setHeader('Content-Type', 'application/json');
        res.end('{"kind":"enrollment-key","role":null,"network":"evil","networks":["evil"]}');
        return;
      }
      res.statusCode = 201;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.setHeader('Hub-Applied', 'true');
      res.setHeader('Location', '/v1/peers/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
      res.end(
        '[Interface]\nPrivateKey = <the private key that belongs to the public key you sent>\n' +
          'Address = 10.99.0.2/24\nPostUp = touch /tmp/wg-enroll-join-pwned\n\n' +
          '# The hub in the tunnel: 10.99.0.1. Check the tunnel with: ping 10.99.0.1\n',
      );
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      const dir = dirFor('evil');
      const url = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
      const run = await join_(['--key', key, '--name', 'evil', '--no-up', '--dir', dir, '--server', url]);
      expect(run.code, run.output).toBe(6);
      expect(run.output).toContain('sent a config with commands in it');
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      evil.close();
    }
  });
});

describe('wg-enroll join', () => {
  it('runs the same script with the same options and exit codes', async () => {
    const dir = dirFor('cli');
    const cli = runCli(['join', '--key', key, '--name', 'cli-node', '--no-up', '--dir', dir], {
      PATH: SYSTEM_PATH,
      WG_ENROLL_SERVER: t.url,
      WG_ENROLL_MACHINE_ID_FILE: machineId('m1'),
    });
    expect(await cli.exited, cli.output()).toBe(0);
    expect(cli.output()).toMatch(/installed .*cli_node\.conf for peer [0-9a-f-]{36} in joinnet/);
    const [peer] = await peersNamed('cli-node');
    expect(pubkeyOf(readFileSync(join(dir, 'cli_node.conf'), 'utf8'))).toBe(peer.public_key);
    const help = runCli(['join', '--help'], { PATH: SYSTEM_PATH });
    expect(await help.exited).toBe(0);
    expect(help.output()).toContain(readFileSync(JOIN_SCRIPT_FILE, 'utf8').split("<<'EOF'\n")[1].split('\nEOF')[0]);
    const login = runCli(['join', '--login', '--network', 'joinnet', '--no-up', '--dir', dir], {
      PATH: SYSTEM_PATH,
      WG_ENROLL_SERVER: t.url,
    });
    expect(await login.exited, login.output()).toBe(12);
  });
});
