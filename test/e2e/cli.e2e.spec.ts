import { createServer as createHttpServer } from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT } from '../support/paths';
import { runCli, runProcess } from '../support/process';
import { buildDist } from '../support/replica';

/**
 * The command line as a user meets it: `--help` and misuse answer with usage and run nothing;
 * failures a user fixes by changing a variable read as one line naming it, exit non-zero, and
 * leave nothing behind; `.env` is read with the environment winning.
 */
let work: string;

beforeAll(() => {
  buildDist();
  work = mkdtempSync(join(tmpdir(), 'wg-enroll-cli-'));
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const LINE = /^wg-enroll: [^\n]+\n$/;

/** The listing of a folder tree (names only), to prove a command created nothing. */
function tree(dir: string): string[] {
  const r = spawnSync('find', [dir], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe('--help runs nothing', () => {
  const openapiFile = join(ROOT, 'openapi', 'openapi.json');

  it.each([[[] as string[]], [['serve']], [['migrate']], [['openapi']], [['openapi', '--check']], [['agent']]])(
    'wg-enroll %j --help prints usage and exits 0',
    async (command) => {
      const dataDir = join(work, `help-${command.join('-') || 'main'}`);
      const before = statSync(openapiFile).mtimeMs;
      // A database that would answer if anything tried to use it is not needed: any use of
      // DATA_DIR or DATABASE_URL would leave a folder or fail.
      const p = runCli([...command, '--help'], { DATA_DIR: dataDir, LOG_LEVEL: 'debug' });
      expect(await p.exited).toBe(0);
      expect(p.output()).toMatch(/Usage: wg-enroll/);
      expect(p.output()).not.toMatch(/listening on|starting embedded Postgres|migrations applied/);
      expect(existsSync(dataDir)).toBe(false);
      expect(statSync(openapiFile).mtimeMs).toBe(before);
    },
    60_000,
  );

  it('`wg-enroll help` lists every command', async () => {
    const p = runCli(['help'], {});
    expect(await p.exited).toBe(0);
    for (const command of ['serve', 'agent', 'migrate', 'openapi']) {
      expect(p.output()).toContain(command);
    }
  });

  it.each([
    [['bogus'], /unknown command 'bogus'/],
    [['serve', '--bogus'], /unknown option '--bogus'/],
    [['migrate', 'now'], /too many arguments/],
    [['openapi', '--write'], /unknown option '--write'/],
    [['agent', '--bogus'], /Unknown option '--bogus'/],
    [['agent', 'stray'], /stray/],
  ])('misuse %j names the mistake, points to --help and exits 2', async (command, mistake) => {
    const dataDir = join(work, `misuse-${command.join('-')}`);
    const p = runCli(command, { DATA_DIR: dataDir });
    expect(await p.exited).toBe(2);
    expect(p.output()).toMatch(mistake);
    expect(p.output()).toMatch(/--help/);
    expect(p.output()).not.toMatch(/\n\s+at /);
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('failures read as one line naming the variable', () => {
  let blocker: Server;
  let busyPort: number;

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    busyPort = (blocker.address() as { port: number }).port;
  });

  afterAll(() => {
    blocker.close();
  });

  async function expectOneLine(args: string[], env: Record<string, string>, says: RegExp) {
    const p = runCli(args, env);
    const code = await p.exited;
    expect(code, p.output()).not.toBe(0);
    expect(code).not.toBeNull();
    expect(p.output()).toMatch(LINE);
    expect(p.output()).toMatch(says);
    return p.output();
  }

  it('a port in use is refused before first-time setup (no data folder, no token)', async () => {
    const dataDir = join(work, 'port-in-use');
    await expectOneLine(['serve'], { DATA_DIR: dataDir, PORT: String(busyPort) }, /port is in use.*PORT/);
    expect(existsSync(dataDir)).toBe(false);
  }, 60_000);

  it('an unreachable OIDC_ISSUER is refused before first-time setup', async () => {
    const dataDir = join(work, 'oidc-unreachable');
    const out = await expectOneLine(
      ['serve'],
      { DATA_DIR: dataDir, PORT: '0', OIDC_ISSUER: 'http://127.0.0.1:1/realms/x', OIDC_CLIENT_ID: 'wg' },
      /OIDC_ISSUER: cannot read the provider's discovery document at http:\/\/127\.0\.0\.1:1\/realms\/x\/\.well-known\/openid-configuration/,
    );
    expect(out).not.toMatch(/\n\s+at /);
    expect(existsSync(dataDir)).toBe(false);
  }, 60_000);

  it('an OIDC_ISSUER that is no OpenID Provider (404) and a plain-http remote issuer are refused', async () => {
    const notAProvider = createHttpServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => notAProvider.listen(0, '127.0.0.1', resolve));
    try {
      const port = (notAProvider.address() as { port: number }).port;
      const dataDir = join(work, 'oidc-404');
      await expectOneLine(
        ['serve'],
        { DATA_DIR: dataDir, PORT: '0', OIDC_ISSUER: `http://127.0.0.1:${port}`, OIDC_CLIENT_ID: 'wg' },
        /OIDC_ISSUER: cannot read the provider's discovery document/,
      );
      expect(existsSync(dataDir)).toBe(false);
      await expectOneLine(
        ['serve'],
        { DATA_DIR: dataDir, PORT: '0', OIDC_ISSUER: 'http://login.example.org', OIDC_CLIENT_ID: 'wg' },
        /OIDC_ISSUER: http:\/\/login\.example\.org must be https:\/\//,
      );
    } finally {
      notAProvider.close();
    }
  }, 60_000);

  const secretKey = Buffer.alloc(32, 3).toString('base64');

  it.each(['serve', 'migrate'])(
    '%s: an unreachable DATABASE_URL',
    async (command) => {
      const dataDir = join(work, `unreachable-${command}`);
      const out = await expectOneLine(
        [command],
        {
          DATA_DIR: dataDir,
          PORT: '0',
          SECRET_KEY: secretKey,
          DATABASE_URL: 'postgresql://app:hunter2-secret@127.0.0.1:1/app',
        },
        /cannot reach the database at 127\.0\.0\.1:1 .*DATABASE_URL/,
      );
      expect(out).not.toContain('hunter2-secret');
      expect(existsSync(dataDir)).toBe(false);
    },
    60_000,
  );

  it.each(['serve', 'migrate'])(
    '%s: a server that accepts the connection and closes it (not Postgres)',
    async (command) => {
      const dropper = createServer((socket) => socket.once('data', () => socket.end()));
      await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
      try {
        const port = (dropper.address() as { port: number }).port;
        const dataDir = join(work, `dropped-${command}`);
        const out = await expectOneLine(
          [command],
          {
            DATA_DIR: dataDir,
            PORT: '0',
            SECRET_KEY: secretKey,
            DATABASE_URL: `postgresql://app:hunter2-secret@127.0.0.1:${port}/app`,
          },
          new RegExp(`the server at 127\\.0\\.0\\.1:${port} closed the connection .*check DATABASE_URL`),
        );
        expect(out).not.toContain('hunter2-secret');
        expect(out).not.toMatch(/\n\s+at /);
        expect(existsSync(dataDir)).toBe(false);
      } finally {
        dropper.close();
      }
    },
    60_000,
  );

  it.each(['serve', 'migrate'])(
    '%s: a wrong password in DATABASE_URL',
    async (command) => {
      const url = new URL(inject('postgresUrl'));
      url.password = 'wrong-password-secret';
      const dataDir = join(work, `password-${command}`);
      const out = await expectOneLine(
        [command],
        { DATA_DIR: dataDir, PORT: '0', SECRET_KEY: secretKey, DATABASE_URL: url.toString() },
        /refused user "postgres" \(wrong password or not allowed\); check DATABASE_URL/,
      );
      expect(out).not.toContain('wrong-password-secret');
      expect(existsSync(dataDir)).toBe(false);
    },
    60_000,
  );

  it.each(['serve', 'migrate'])(
    '%s: a database that does not exist',
    async (command) => {
      const url = new URL(inject('postgresUrl'));
      url.pathname = '/no_such_database';
      const dataDir = join(work, `missing-db-${command}`);
      const out = await expectOneLine(
        [command],
        { DATA_DIR: dataDir, PORT: '0', SECRET_KEY: secretKey, DATABASE_URL: url.toString() },
        /the database "no_such_database" does not exist at .*; create it or check DATABASE_URL/,
      );
      expect(out).not.toContain(decodeURIComponent(url.password));
      expect(existsSync(dataDir)).toBe(false);
    },
    60_000,
  );

  // A read-only root as in a container: a bind mount made read-only in a mount namespace of its own.
  const unshare = spawnSync('unshare', ['-m', 'true']).status === 0;
  if (!unshare) {
    // eslint-disable-next-line no-console
    console.warn('read-only DATA_DIR case skipped: `unshare -m` is not permitted here (needs root)');
  }
  it.skipIf(!unshare)(
    'a missing SECRET_KEY on a read-only DATA_DIR names SECRET_KEY (no EROFS stack)',
    async () => {
      const root = join(work, 'read-only');
      mkdirSync(root, { recursive: true });
      const url = new URL(inject('postgresUrl'));
      const script = `mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && exec "$2" bin/wg-enroll.js serve`;
      const p = runProcess('unshare', ['-m', 'sh', '-c', script, 'sh', root, process.execPath], {
        DATA_DIR: join(root, 'data'),
        PORT: '0',
        DATABASE_URL: url.toString(),
      });
      const code = await p.exited;
      expect(code).not.toBe(0);
      expect(p.output()).toMatch(LINE);
      expect(p.output()).toMatch(/SECRET_KEY is not set and DATA_DIR .* cannot hold a generated secret\.key \(EROFS\)/);
      expect(p.output()).not.toContain(decodeURIComponent(url.password));
      expect(tree(root)).toEqual([root]);
    },
    60_000,
  );
});

describe('.env', () => {
  /** Runs the CLI in `cwd` (where .env is looked for) with only PATH and `env`. */
  function runIn(cwd: string, args: string[], env: Record<string, string>) {
    return new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [join(ROOT, 'bin', 'wg-enroll.js'), ...args], {
        cwd,
        env: { PATH: process.env.PATH ?? '', ...env },
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.on('exit', (code) => resolve({ code, out }));
    });
  }

  it('is read from the working folder, and the environment wins over it', async () => {
    const dir = join(work, 'dotenv');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, '.env'),
      '# as copied from .env.example\nDATABASE_URL=postgresql://app:from-file@127.0.0.1:2/app\nLOG_LEVEL=warn\n',
    );
    const fromFile = await runIn(dir, ['migrate'], {});
    expect(fromFile.code).toBe(1);
    expect(fromFile.out).toMatch(/cannot reach the database at 127\.0\.0\.1:2 /);
    const fromEnv = await runIn(dir, ['migrate'], { DATABASE_URL: 'postgresql://app:from-env@127.0.0.1:3/app' });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.out).toMatch(/cannot reach the database at 127\.0\.0\.1:3 /);
    // A bad value in the file is reported like one in the environment.
    writeFileSync(join(dir, '.env'), 'PORT=not-a-port\n');
    const bad = await runIn(dir, ['serve'], { DATA_DIR: join(dir, 'data') });
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('PORT');
    expect(existsSync(join(dir, 'data'))).toBe(false);
  }, 60_000);

  it('ENV_FILE names another file; a missing one is refused', async () => {
    const dir = join(work, 'env-file');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'service.env'), 'DATABASE_URL=postgresql://app:x@127.0.0.1:4/app\n');
    const named = await runIn(dir, ['migrate'], { ENV_FILE: 'service.env' });
    expect(named.out).toMatch(/127\.0\.0\.1:4 /);
    const missing = await runIn(dir, ['migrate'], { ENV_FILE: 'nope.env' });
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/ENV_FILE .*nope\.env does not exist/);
    expect(readFileSync(join(dir, 'service.env'), 'utf8')).toContain('127.0.0.1:4');
  }, 60_000);
});

describe('the start output', () => {
  // A folder of its own under the temp root: Postgres (as the OS user postgres under root)
  // must pass through every folder above DATA_DIR.
  let outputDir: string;
  beforeAll(() => {
    outputDir = mkdtempSync(join(tmpdir(), 'wg-enroll-output-'));
  });
  afterAll(() => {
    rmSync(outputDir, { recursive: true, force: true });
  });
  const dataDir = () => outputDir;

  async function startOnce(env: Record<string, string>) {
    const p = runCli(['serve'], { DATA_DIR: dataDir(), PORT: '0', LOG_LEVEL: 'info', ...env });
    const url = await p.url;
    // At once after the listening line: the summary is still printed and the stop is clean.
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    return { url, out: p.output() };
  }

  it('a SIGTERM while the service starts stops it once it is up: exit 0, its Postgres stopped, the folder free', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'wg-enroll-early-signal-'));
    const p = runCli(['serve'], { DATA_DIR: folder, PORT: '0', LOG_LEVEL: 'info' });
    // Its first line comes long before "listening" (the data folder is new: Postgres is initialised).
    const until = Date.now() + 60_000;
    while (p.output() === '' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
    }
    p.child.kill('SIGTERM');
    expect(await p.exited, p.output()).toBe(0);
    expect(p.output()).toMatch(/listening on /);
    expect(existsSync(join(folder, 'postgres', 'postmaster.pid'))).toBe(false);
    rmSync(folder, { recursive: true, force: true });
  }, 120_000);

  it('LOG_FORMAT=pretty: readable lines and a summary with the pages, the docs, the token file and the next step', async () => {
    const { url, out } = await startOnce({ LOG_FORMAT: 'pretty' });
    const tokenFile = join(dataDir(), 'admin-token');
    expect(out).toContain(`status page   ${url}/status`);
    expect(out).toContain(`enroll page   ${url}/`);
    expect(out).toContain(`API docs      ${url}/docs`);
    expect(out).toContain(`admin token   ${tokenFile}`);
    expect(out).toMatch(/next step/);
    expect(out.split('\n').filter((l) => l.startsWith('{'))).toEqual([]);
    expect(out).not.toMatch(/Mapped \{|RoutesResolver|RouterExplorer/);
    expect(out).not.toContain(readFileSync(tokenFile, 'utf8').trim());
    // The README's first screen shows this summary as a new user's start prints it.
    const start = out.indexOf('wg-enroll is running at');
    const shown = out
      .slice(start, out.indexOf('Stop with Ctrl-C.', start) + 'Stop with Ctrl-C.'.length)
      .replaceAll(url, 'http://127.0.0.1:3000')
      .replace(tokenFile, '/home/you/wg-enroll/.data/admin-token');
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').slice(0, 1500)).toContain(shown);
  }, 120_000);

  it('not a terminal: JSON lines only, route mapping at debug level', async () => {
    const { out } = await startOnce({});
    const lines = out.split('\n').filter((l) => l.trim() !== '' && !/^SIGTERM/.test(l));
    for (const line of lines) {
      expect(() => JSON.parse(line), line).not.toThrow();
    }
    expect(out).not.toMatch(/Mapped \{/);
    expect(out).not.toContain('status page');
    const debug = await startOnce({ LOG_LEVEL: 'debug' });
    const mapped = debug.out
      .split('\n')
      .filter((l) => l.includes('Mapped {'))
      .map((l) => JSON.parse(l) as { level: string; context: string });
    expect(mapped.length).toBeGreaterThan(10);
    expect(new Set(mapped.map((m) => m.level))).toEqual(new Set(['debug']));
  }, 120_000);

  const hasScript = spawnSync('script', ['--version']).status === 0;
  if (!hasScript) {
    // eslint-disable-next-line no-console
    console.warn('terminal case skipped: util-linux `script` (a pseudo-terminal) is not installed');
  }
  it.skipIf(!hasScript)(
    'on a terminal (a pseudo-terminal through `script`), the format is pretty by default',
    async () => {
      const command = `exec "${process.execPath}" bin/wg-enroll.js serve`;
      const p = runProcess('script', ['-qefc', command, '/dev/null'], {
        DATA_DIR: dataDir(),
        PORT: '0',
        LOG_LEVEL: 'info',
      });
      await p.url;
      await new Promise((r) => setTimeout(r, 500));
      p.child.kill('SIGTERM');
      await p.exited;
      expect(p.output()).toMatch(/status page {3}http:\/\/127\.0\.0\.1:\d+\/status/);
      expect(p.output()).not.toMatch(/^\{"time"/m);
    },
    120_000,
  );

  it('a bad LOG_FORMAT is refused in one line', async () => {
    const p = runCli(['serve'], { DATA_DIR: join(work, 'bad-format'), LOG_FORMAT: 'xml' });
    expect(await p.exited).toBe(2);
    expect(p.output()).toMatch(/^wg-enroll: LOG_FORMAT must be one of auto, json, pretty\n$/);
    expect(existsSync(join(work, 'bad-format'))).toBe(false);
  });
});
