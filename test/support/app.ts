import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Client } from 'pg';
import request from 'supertest';
import { createApp } from '../../src/app.factory';
import { freePort } from '../../src/database/embedded-postgres';
import { JsonLogger } from '../../src/common/logging/json-logger';
import { loadConfig } from '../../src/config/env';
import { cloneDatabase } from './db';
import { LOG_DIR, SECRETS_DIR } from './paths';
import { LIMITS_OFF } from './limits';

/**
 * Records every secret the suite is issued, so the log scan can prove none reached a log line.
 */
export function rememberSecret(...secrets: (string | undefined | null)[]): void {
  const lines = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 16);
  if (lines.length > 0) {
    appendFileSync(join(SECRETS_DIR, `${process.pid}.txt`), `${lines.join('\n')}\n`);
  }
}

/** Pulls every secret out of a response body: tokens, keys, claim links, config key lines. */
export function rememberSecretsIn(body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? null);
  for (const m of text.matchAll(/wg[tkcsd]_[A-Za-z0-9_-]{40,}/g)) {
    rememberSecret(m[0]);
  }
  for (const m of text.matchAll(/(?:PrivateKey|PresharedKey) = ([A-Za-z0-9+/=]{44})/g)) {
    rememberSecret(m[1]);
  }
}

export interface TestApp {
  readonly app: NestExpressApplication;
  readonly http: ReturnType<typeof request>;
  readonly url: string;
  readonly databaseUrl: string;
  readonly adminToken: string;
  readonly dataDir: string;
  readonly sql: Client;
  close(): Promise<void>;
}

let logFileCounter = 0;

/**
 * The real application on a fresh clone of the migrated database, listening on a free port,
 * with its logs captured for the secret scan. Pass env to change configuration.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  shared?: { databaseUrl: string },
): Promise<TestApp> {
  const database = shared ? { url: shared.databaseUrl, drop: () => Promise.resolve() } : await cloneDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'wg-enroll-app-'));
  const adminToken = `wgt_${randomBytes(32).toString('base64url')}`;
  rememberSecret(adminToken);
  // A fixed port (not 0), so that PUBLIC_URL and with it the claim links are right.
  const port = env.PORT === undefined ? await freePort() : Number(env.PORT);
  const config = loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    ADMIN_TOKEN: adminToken,
    HUB_LOCAL: 'true',
    LOG_LEVEL: 'debug',
    PORT: String(port),
    DATABASE_POOL_SIZE: '20',
    ...LIMITS_OFF,
    // One key for every app in the suite, so apps can share a database like replicas do.
    SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
    ...env,
  });
  const logFile = join(LOG_DIR, `${process.pid}-${++logFileCounter}.log`);
  const logger = new JsonLogger('debug', (line) => appendFileSync(logFile, `${line}\n`));
  const app = await createApp(config, database.url, logger);
  await app.listen(port, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  return {
    app,
    http: request(app.getHttpServer()),
    url,
    databaseUrl: database.url,
    adminToken,
    dataDir,
    sql,
    close: async () => {
      await sql.end();
      await app.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Every log line the apps of this test file wrote so far, parsed. (Nest's static Logger writes
 * through the most recently created app's logger, so with several apps in one file a line may
 * sit in another app's file.)
 */
export function logLinesOfThisProcess(): Record<string, unknown>[] {
  return readdirSync(LOG_DIR)
    .filter((file) => file.startsWith(`${process.pid}-`))
    .flatMap((file) => readFileSync(join(LOG_DIR, file), 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export const bearer = (secret: string) => ({ Authorization: `Bearer ${secret}` });
