import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type ServiceProcess } from '../support/process';
import { buildDist } from '../support/replica';

/**
 * One data folder, one owner: the process serving DATA_DIR holds DATA_DIR/wg-enroll.lock, a
 * second command on the folder refuses (or, migrate, uses the running server's database) and
 * never stops the live embedded Postgres; a server whose embedded Postgres dies exits non-zero
 * and its /healthz never says it is alive meanwhile.
 */
let dataDir: string;
const running: ServiceProcess[] = [];

beforeAll(() => {
  buildDist();
  dataDir = mkdtempSync(join(tmpdir(), 'wg-enroll-folder-'));
}, 120_000);

afterAll(async () => {
  for (const p of running) {
    p.child.kill('SIGKILL');
  }
  await new Promise((r) => setTimeout(r, 500));
  const pid = postmasterPid();
  if (pid !== null) {
    process.kill(pid, 'SIGKILL');
  }
  rmSync(dataDir, { recursive: true, force: true });
});

function start(args: string[] = ['serve']): ServiceProcess {
  const p = runCli(args, { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' });
  running.push(p);
  return p;
}

function postmasterPid(): number | null {
  const file = join(dataDir, 'postgres', 'postmaster.pid');
  if (!existsSync(file)) {
    return null;
  }
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

async function status(url: string): Promise<number | string> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(5000) })).status;
  } catch (error) {
    return String((error as Error).cause ?? error);
  }
}

describe('a second process on the data folder', () => {
  let first: ServiceProcess;
  let url: string;
  let postmaster: number | null;

  it('the serving process holds the folder: pid and URL in DATA_DIR/wg-enroll.lock', async () => {
    first = start();
    url = await first.url;
    postmaster = postmasterPid();
    expect(postmaster).not.toBeNull();
    const lock = JSON.parse(readFileSync(join(dataDir, 'wg-enroll.lock'), 'utf8')) as Record<string, unknown>;
    expect(lock).toMatchObject({ pid: first.child.pid, command: 'serve', httpUrl: url });
    expect(lock.postgresPort).toEqual(expect.any(Number));
  }, 120_000);

  it('a second serve refuses in one line naming the holder, and the first keeps serving', async () => {
    const second = start();
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(
      /^wg-enroll: DATA_DIR .* is in use by wg-enroll serve \(pid \d+, listening on http:[^\n]*\n$/,
    );
    expect(second.output()).toContain(`pid ${first.child.pid}`);
    expect(second.output()).toContain(url);
    expect(postmasterPid()).toBe(postmaster);
    expect(await status(`${url}/readyz`)).toBe(200);
  }, 60_000);

  it('serve --help on the folder starts nothing and stops nothing', async () => {
    const help = start(['serve', '--help']);
    expect(await help.exited).toBe(0);
    expect(postmasterPid()).toBe(postmaster);
    expect(await status(`${url}/readyz`)).toBe(200);
  }, 60_000);

  it('migrate uses the running server’s database instead of starting (or stopping) one', async () => {
    const migrate = start(['migrate']);
    expect(await migrate.exited).toBe(0);
    expect(migrate.output()).toContain(`held by wg-enroll serve (pid ${first.child.pid})`);
    expect(migrate.output()).toContain('applied: nothing (up to date)');
    expect(postmasterPid()).toBe(postmaster);
    expect(await status(`${url}/readyz`)).toBe(200);
  }, 60_000);

  it('a server whose embedded Postgres dies says so, exits non-zero, and /healthz never answers 200 meanwhile', async () => {
    expect(await status(`${url}/healthz`)).toBe(200);
    process.kill(postmaster!, 'SIGKILL');
    const answers: (number | string)[] = [];
    let exited = false;
    void first.exited.then(() => (exited = true));
    while (!exited) {
      const noticed = first.output().includes('cannot serve any more');
      const answer = await status(`${url}/healthz`);
      if (noticed) {
        answers.push(answer);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await first.exited).toBe(1);
    expect(first.output()).toMatch(/the embedded Postgres \(pid \d+\) exited with SIGKILL/);
    expect(answers).not.toContain(200);
    expect(await status(`${url}/healthz`)).not.toBe(200);
    // The owner is gone: the lock is stale and the next start takes the folder.
    const next = start();
    const nextUrl = await next.url;
    expect(await status(`${nextUrl}/readyz`)).toBe(200);
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
    expect(existsSync(join(dataDir, 'wg-enroll.lock'))).toBe(false);
    expect(postmasterPid()).toBeNull();
  }, 120_000);

  it('after a SIGKILLed server, the left-over postmaster (owner gone) is stopped by the next start', async () => {
    const killed = start();
    await killed.url;
    const orphan = postmasterPid();
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(postmasterPid()).toBe(orphan);
    const next = start();
    const nextUrl = await next.url;
    expect(await status(`${nextUrl}/readyz`)).toBe(200);
    expect(postmasterPid()).not.toBe(orphan);
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  }, 120_000);
});
