import { discoverProvider } from '../identity/oidc-provider';
import { accessSync, constants, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import type { AppConfig } from '../config/env';
import { StartupError } from './startup-error';

export { StartupError };

/**
 * The checks a start makes before it changes anything (no data folder initialised, no key or
 * admin token written), and the one-line messages of the failures a user can fix by changing a
 * variable. A StartupError's message is printed as it is, without a stack trace.
 */
const CONNECT_TIMEOUT_MS = 5000;

/** Fails when host:port cannot be bound (in use, not permitted); port 0 always can. */
export async function checkPort(host: string, port: number): Promise<void> {
  if (port === 0) {
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      reject(
        new StartupError(
          error.code === 'EADDRINUSE'
            ? `cannot listen on ${where}: the port is in use by another process; set PORT (or HOST) to a free one`
            : `cannot listen on ${where} (${error.code ?? error.message}); set PORT (or HOST) to one this user may bind`,
        ),
      );
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}

/**
 * Without SECRET_KEY the key is generated once into DATA_DIR/secret.key: that folder must be
 * writable (a container's read-only root is not).
 */
export function checkSecretKeyStorage(config: AppConfig): void {
  if (config.secretKey !== undefined || existsSync(join(config.dataDir, 'secret.key'))) {
    return;
  }
  // The folder, or the nearest existing folder above it, must be writable (nothing is created here).
  let dir = config.dataDir;
  while (!existsSync(dir) && dirname(dir) !== dir) {
    dir = dirname(dir);
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'not writable';
    throw new StartupError(
      `SECRET_KEY is not set and DATA_DIR ${config.dataDir} cannot hold a generated secret.key (${code}); ` +
        'set SECRET_KEY (openssl rand -base64 32) or SECRET_KEY_FILE, or point DATA_DIR at a writable folder',
    );
  }
}

/** Where a database URL points, for messages: never its password. */
function describeUrl(url: string): { where: string; user: string; database: string } {
  try {
    const u = new URL(url);
    return {
      where: `${u.hostname || 'localhost'}:${u.port || '5432'}`,
      user: decodeURIComponent(u.username) || '(default user)',
      database: decodeURIComponent(u.pathname.slice(1)) || '(default database)',
    };
  } catch {
    return { where: '(unparsable URL)', user: '?', database: '?' };
  }
}

/** The one-line explanation of a failure to reach or use the database at `url`, or null. */
export function databaseProblem(error: unknown, url: string, variable = 'DATABASE_URL'): string | null {
  const e = error as NodeJS.ErrnoException & { errors?: NodeJS.ErrnoException[] };
  const code = e?.code ?? e?.errors?.find((x) => x.code)?.code;
  const { where, user, database } = describeUrl(url);
  switch (code) {
    case 'ECONNREFUSED':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
    case 'ECONNRESET':
      return `cannot reach the database at ${where} (${code}); check ${variable} and that Postgres is running`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the database host of ${where} (${code}); check ${variable}`;
    case '28P01':
    case '28000':
      return `the database at ${where} refused user "${user}" (wrong password or not allowed); check ${variable}`;
    case '3D000':
      return `the database "${database}" does not exist at ${where}; create it or check ${variable}`;
    case '57P03':
      return `the database at ${where} is starting up or shutting down; try again, or check ${variable}`;
    case undefined:
    default:
      break;
  }
  // pg has no code for a server that accepts the connection and closes it before speaking
  // Postgres (a proxy with no backend, a port that is not Postgres).
  if (/Connection terminated unexpectedly/i.test(e?.message ?? '')) {
    return `the server at ${where} closed the connection before answering as Postgres; check ${variable} and that Postgres is running there`;
  }
  if (/timeout/i.test(e?.message ?? '')) {
    return `the database at ${where} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s; check ${variable}`;
  }
  return null;
}

/** Connects once (bounded) so that every way of not reaching DATABASE_URL reads as one line. */
export async function checkDatabase(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const problem = databaseProblem(error, url);
    throw problem === null ? error : new StartupError(problem);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** With OIDC_ISSUER: the provider's discovery document must be readable before anything starts. */
export async function checkOidcProvider(config: AppConfig): Promise<void> {
  if (config.oidc === null) {
    return;
  }
  try {
    await discoverProvider(config.oidc);
  } catch (error) {
    throw new StartupError(error instanceof Error ? error.message : String(error));
  }
}
