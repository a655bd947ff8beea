import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { freePort } from '../../src/database/embedded-postgres';
import { rememberSecret } from './app';
import { ROOT } from './paths';
import { runCli, type ServiceProcess } from './process';
import { LIMITS_OFF } from './limits';

/** Compiles dist/ once per spec file, so the processes run the code under test. */
export function buildDist(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

/** One shared secret key and admin token per spec: replicas must agree on both. */
export const SHARED_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');
export function newAdminToken(): string {
  const token = `wgt_${randomBytes(32).toString('base64url')}`;
  rememberSecret(token);
  return token;
}

export interface Replica {
  readonly process: ServiceProcess;
  readonly url: string;
  stop(): Promise<number | null>;
}

/**
 * A real `node bin/wg-enroll.js serve` process on an existing database, as one replica of a
 * deployment runs: DATABASE_URL, the shared SECRET_KEY and ADMIN_TOKEN, no local hub.
 */
export async function startReplica(
  databaseUrl: string,
  adminToken: string,
  env: Record<string, string> = {},
): Promise<Replica> {
  const port = await freePort();
  const p = runCli(['serve'], {
    DATABASE_URL: databaseUrl,
    ADMIN_TOKEN: adminToken,
    SECRET_KEY: SHARED_SECRET_KEY,
    HUB_LOCAL: 'false',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: `${ROOT}/.test-artifacts/replica-data-never-written`,
    LOG_LEVEL: 'info',
    DATABASE_POOL_SIZE: '20',
    ...LIMITS_OFF,
    ...env,
  });
  const url = await p.url;
  return {
    process: p,
    url,
    stop: async () => {
      if (p.child.exitCode === null) {
        p.child.kill('SIGTERM');
      }
      return p.exited;
    },
  };
}

/** Runs `count` tasks with at most `concurrency` in flight; results in task order. */
export async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

export { HUB_KEY } from '../../scripts/lib/fixtures.mjs';

/** A measurement printed by a drill (figures, never asserted timings beyond the stated goals). */
export function report(line: string): void {
  // eslint-disable-next-line no-console
  console.log(line);
}
