import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { EmbeddedAgentHost } from '../agent/embedded-agent';
import { RevisionNotifier } from '../hub/revision-notifier';
import { createApp } from '../app.factory';
import { JsonLogger } from '../common/logging/json-logger';
import type { AppConfig } from '../config/env';
import { DataFolderBusyError, liveHolder } from '../database/data-folder-lock';
import { startEmbeddedPostgres, type EmbeddedDatabase, type EmbeddedOptions } from '../database/embedded-postgres';
import { applyMigrations } from '../database/migrate';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { checkDatabase, checkOidcProvider, checkPort, checkSecretKeyStorage } from './preflight';

/** How long in-flight requests may take to finish after SIGTERM. */
export const SHUTDOWN_GRACE_MS = 5000;

export interface RunningService {
  readonly app: NestExpressApplication;
  readonly url: string;
  readonly databaseUrl: string;
  stop(): Promise<void>;
}

/** Resolves the database (embedded Postgres when DATABASE_URL is unset) and applies migrations. */
export async function prepareDatabase(
  config: AppConfig,
  logger: JsonLogger,
  options: EmbeddedOptions = {},
): Promise<{ url: string; embedded: EmbeddedDatabase | null }> {
  let embedded: EmbeddedDatabase | null = null;
  let url = config.databaseUrl;
  if (url === undefined) {
    logger.log(`starting embedded Postgres under ${join(config.dataDir, 'postgres')}`, 'Database');
    embedded = await startEmbeddedPostgres(config.dataDir, (message) => logger.debug(message, 'postgres'), options);
    url = embedded.url;
  } else {
    await checkDatabase(url);
  }
  const applied = await applyMigrations(url);
  logger.log({ msg: 'migrations applied', applied }, 'Database');
  return { url, embedded };
}

/** How one `serve` process runs: alone (the default), or as one worker of a cluster primary. */
export interface ServeOptions {
  /** Run the embedded hub agent (HUB_LOCAL) in this process. */
  readonly startAgent?: boolean;
  /**
   * A worker of the cluster primary (cluster.ts): the primary holds the data folder, checked the
   * port and the key's home, and started the database (its URL is this). The worker serves only.
   */
  readonly workerDatabaseUrl?: string;
}

/**
 * Prisma's query compiler is a 3.3 MB WebAssembly module. V8 compiles it with Liftoff and then
 * recompiles its hot functions with TurboFan, whose code and compile memory stay resident:
 * measured 70 MB of an idle server's RSS and 40-120 MB after 1,500 enrollments, for 5-10 % more
 * Node CPU per enrollment (scripts/bench/sections/memory.mjs). Set before Prisma compiles it.
 */
export function leanWasm(): void {
  setFlagsFromString('--liftoff-only');
}

export async function serve(
  config: AppConfig,
  logger = new JsonLogger(config.logLevel),
  options: ServeOptions = {},
): Promise<RunningService> {
  leanWasm();
  const worker = options.workerDatabaseUrl !== undefined;
  // Nothing is created before these pass: the data folder's holder, the port, the key's home.
  if (config.databaseUrl === undefined && !worker) {
    const holder = liveHolder(config.dataDir);
    if (holder !== null) {
      throw new DataFolderBusyError(config.dataDir, holder);
    }
  }
  if (!worker) {
    await checkPort(config.host, config.port);
    checkSecretKeyStorage(config);
    await checkOidcProvider(config);
  }
  let app: NestExpressApplication | undefined;
  const { url: databaseUrl, embedded } = worker
    ? { url: options.workerDatabaseUrl, embedded: null }
    : await prepareDatabase(config, logger, {
        command: 'serve',
        // The database will not come back under this process: say so and exit non-zero (a
        // supervisor, or the user, starts it again; the next start recovers the folder).
        onUnexpectedExit: (detail) => {
          logger.error(`${detail}: this server cannot serve any more and exits; start it again`, 'Database');
          const exit = () => process.exit(1);
          const timer = setTimeout(exit, 2000);
          void (app?.close() ?? Promise.resolve())
            .catch(() => undefined)
            .finally(() => {
              clearTimeout(timer);
              exit();
            });
        },
      });
  try {
    app = await createApp(config, databaseUrl, logger);
    await app.listen(config.port, config.host);
  } catch (error) {
    await app?.close().catch(() => undefined);
    await embedded?.stop();
    throw error;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  embedded?.lock.update({ httpUrl: url });
  if (config.localHub && (options.startAgent ?? true)) {
    await app.get(EmbeddedAgentHost).start(url);
  }
  if (!worker) {
    new Logger('Main').log({ msg: `wg-enroll listening on ${url} (API docs: ${url}/docs)` });
  }
  let stopping: Promise<void> | null = null;
  return {
    app,
    url,
    databaseUrl,
    stop: () =>
      (stopping ??= (async () => {
        // Drain HTTP before anything else closes (Nest's own close() would disconnect the
        // database first, under requests still running): stop accepting, answer open long-polls
        // at once, let in-flight requests finish on a live database, close keep-alive
        // connections as they become idle, and after SHUTDOWN_GRACE_MS cut whatever is still
        // open, so a stop is bounded. Then the application's hooks run (agent, sweeper, LISTEN,
        // database pools).
        const server = app.getHttpServer() as import('node:http').Server;
        await app.get(EmbeddedAgentHost).stop();
        app.get(RevisionNotifier).beginShutdown();
        const drained = new Promise<void>((resolve) => server.close(() => resolve()));
        const idle = setInterval(() => server.closeIdleConnections(), 100);
        const cut = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        try {
          await drained;
          await app.close();
        } finally {
          clearInterval(idle);
          clearTimeout(cut);
        }
        await embedded?.stop();
      })()),
  };
}
