import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type ServiceProcess } from '../support/process';
import { buildDist } from '../support/replica';

/**
 * WEB_CONCURRENCY=2 on a real `wg-enroll serve` with its embedded Postgres: one primary holds
 * the data folder and the database, two worker processes answer on the one port; a worker that
 * dies is replaced; SIGTERM stops every process and Postgres.
 */

let dataDir: string;
let service: ServiceProcess;
let url: string;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const parentOf = (pid: number): number =>
  Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);

/** GET on a connection of its own (no keep-alive), so the primary hands each to a worker anew. */
function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}${path}`, { agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** The pid that answered /metrics (wg_enroll_process_info). */
async function answeringPid(): Promise<number> {
  const { status, body } = await get('/metrics');
  expect(status).toBe(200);
  const match = /^wg_enroll_process_info\{pid="(\d+)",worker="(\d+)"\} 1$/m.exec(body);
  expect(match, 'wg_enroll_process_info in /metrics').not.toBeNull();
  return Number(match![1]);
}

/** The pids seen over `tries` fresh connections. */
async function answeringPids(tries = 12): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < tries; i++) {
    pids.add(await answeringPid());
  }
  return pids;
}

function postmasterPid(): number {
  return Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

beforeAll(async () => {
  buildDist();
  dataDir = mkdtempSync(join(tmpdir(), 'wg-enroll-cluster-'));
  service = runCli(['serve'], {
    DATA_DIR: dataDir,
    PORT: '0',
    HUB_LOCAL: 'false',
    LOG_LEVEL: 'info',
    WEB_CONCURRENCY: '2',
  });
  url = await service.url;
}, 180_000);

afterAll(() => {
  if (service?.child.exitCode === null) {
    service.child.kill('SIGKILL');
  }
  if (dataDir && existsSync(join(dataDir, 'postgres', 'postmaster.pid')) && alive(postmasterPid())) {
    process.kill(postmasterPid(), 'SIGKILL');
  }
  if (dataDir) {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

describe('WEB_CONCURRENCY=2: several service processes on one port', () => {
  const primary = () => service.child.pid!;
  let workers: Set<number>;

  it('two worker processes of the primary answer, each ready, and the primary says it once', async () => {
    workers = await answeringPids();
    expect(workers.size).toBe(2);
    for (const pid of workers) {
      expect(pid).not.toBe(primary());
      expect(parentOf(pid)).toBe(primary());
    }
    for (let i = 0; i < 4; i++) {
      expect((await get('/readyz')).status).toBe(200);
    }
    expect(service.output().match(/wg-enroll listening on http:/g)).toHaveLength(1);
    // The embedded Postgres is the primary's, started once.
    expect(parentOf(postmasterPid())).toBe(primary());
  });

  it('a killed worker is replaced, and the other one serves meanwhile', async () => {
    const [victim, survivor] = [...workers];
    process.kill(victim, 'SIGKILL');
    // While the replacement starts, every answer comes from the survivor.
    while (alive(victim)) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await answeringPid()).toBe(survivor);
    let now = new Set<number>();
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      now = await answeringPids(6);
      if (now.size === 2) {
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(now.size).toBe(2);
    expect(now.has(victim)).toBe(false);
    expect(now.has(survivor)).toBe(true);
    const replacement = [...now].find((pid) => pid !== survivor)!;
    expect(parentOf(replacement)).toBe(primary());
    expect(service.output()).toMatch(/service worker exited; starting another/);
    workers = now;
  }, 120_000);

  it('SIGTERM stops every worker, then Postgres, and the primary exits 0', async () => {
    const postmaster = postmasterPid();
    expect(alive(postmaster)).toBe(true);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    for (const pid of workers) {
      expect(alive(pid), `worker ${pid}`).toBe(false);
    }
    expect(alive(postmaster), 'postmaster').toBe(false);
    // Workers that stop on shutdown are not replaced.
    const afterSignal = service.output().split('SIGTERM: shutting down')[1] ?? '';
    expect(afterSignal).not.toMatch(/starting another/);
  }, 60_000);
});
