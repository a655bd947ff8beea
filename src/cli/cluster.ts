import cluster, { type Worker } from 'node:cluster';
import type { JsonLogger } from '../common/logging/json-logger';
import type { AppConfig } from '../config/env';
import { DataFolderBusyError, liveHolder } from '../database/data-folder-lock';
import { embeddedDatabaseUrl } from '../database/embedded-postgres';
import { checkOidcProvider, checkPort, checkSecretKeyStorage } from './preflight';
import { prepareDatabase, serve, SHUTDOWN_GRACE_MS, type RunningService } from './serve';

// WEB_CONCURRENCY > 1: one primary process holds what exists once (the data folder, the embedded
// Postgres, the migrations) and forks that many workers (node:cluster), which share the one port
// (the primary accepts and hands connections out round-robin) and serve. The primary serves
// nothing itself.

/** The worker's environment from the primary: the embedded Postgres' port (the password stays in DATA_DIR). */
const POSTGRES_PORT_ENV = 'WG_ENROLL_WORKER_POSTGRES_PORT';
/** The worker that runs the embedded hub agent (HUB_LOCAL): slot 0, and its replacements. */
const AGENT_ENV = 'WG_ENROLL_WORKER_AGENT';
/** Which of the N workers this is (0 … N-1), kept by a replacement. */
export const WORKER_SLOT_ENV = 'WG_ENROLL_WORKER_SLOT';

const LISTENING = 'wg-enroll:listening';
/** A replaced worker's first wait; doubled per crash in a row up to the longest. */
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
/** A worker that served this long resets its slot's backoff. */
const STABLE_MS = 60_000;
/** After SIGTERM, how long the primary waits for its workers (their own drain is bounded by SHUTDOWN_GRACE_MS). */
const WORKER_STOP_MS = SHUTDOWN_GRACE_MS + 10_000;

export const isClusterWorker = (): boolean => cluster.isWorker;

/** In a worker: serve on the primary's database and tell the primary where it listens. */
export async function serveWorker(config: AppConfig, logger: JsonLogger): Promise<RunningService> {
  const databaseUrl = config.databaseUrl ?? embeddedDatabaseUrl(config.dataDir, Number(process.env[POSTGRES_PORT_ENV]));
  const service = await serve(config, logger, {
    workerDatabaseUrl: databaseUrl,
    startAgent: process.env[AGENT_ENV] === '1',
  });
  process.send?.({ type: LISTENING, url: service.url });
  return service;
}

export interface RunningCluster {
  readonly url: string;
  /** The workers' process ids, by slot. */
  pids(): number[];
  stop(): Promise<void>;
}

/** Thrown when a worker exits before it listens: the start fails, as a single process' would. */
export class WorkerStartError extends Error {}

/**
 * The primary: the same checks as a single `serve`, the database once, then `workers` workers
 * (the first alone, so a first start's files and rows are made once; the others together). A
 * worker that exits later is replaced after a backoff; SIGTERM (stop()) stops the workers, then
 * the database.
 */
export async function servePrimary(config: AppConfig, logger: JsonLogger, workers: number): Promise<RunningCluster> {
  if (config.databaseUrl === undefined) {
    const holder = liveHolder(config.dataDir);
    if (holder !== null) {
      throw new DataFolderBusyError(config.dataDir, holder);
    }
  }
  await checkPort(config.host, config.port);
  checkSecretKeyStorage(config);
  await checkOidcProvider(config);
  let stopping: Promise<void> | null = null;
  const slots: (Worker | null)[] = Array.from({ length: workers }, () => null);
  const crashes = Array.from({ length: workers }, () => 0);
  const timers = new Set<NodeJS.Timeout>();
  const { embedded } = await prepareDatabase(config, logger, {
    command: 'serve',
    onUnexpectedExit: (detail) => {
      logger.error(`${detail}: this server cannot serve any more and exits; start it again`, 'Database');
      void stop().finally(() => process.exit(1));
    },
  });
  const postgresPort = embedded === null ? '' : new URL(embedded.url).port;

  /** Forks the worker of a slot; resolves with its URL once it listens, rejects if it exits first. */
  const fork = (slot: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork({
        [POSTGRES_PORT_ENV]: postgresPort,
        [AGENT_ENV]: slot === 0 && config.localHub ? '1' : '0',
        [WORKER_SLOT_ENV]: String(slot),
      });
      slots[slot] = worker;
      const startedAt = Date.now();
      let listening = false;
      worker.on('message', (message: { type?: string; url?: string }) => {
        if (message?.type === LISTENING && typeof message.url === 'string') {
          listening = true;
          resolve(message.url);
        }
      });
      worker.once('exit', (code, signal) => {
        if (slots[slot] === worker) {
          slots[slot] = null;
        }
        const how = signal === null ? `code ${code}` : signal;
        if (!listening) {
          reject(
            new WorkerStartError(`a service worker (pid ${worker.process.pid}) exited (${how}) before it listened`),
          );
          return;
        }
        if (stopping !== null) {
          return;
        }
        crashes[slot] = Date.now() - startedAt >= STABLE_MS ? 1 : crashes[slot] + 1;
        logger.error(
          {
            msg: 'service worker exited; starting another',
            pid: worker.process.pid,
            exit: how,
            slot,
            delayMs: backoff(slot),
          },
          'Cluster',
        );
        replaceLater(slot);
      });
    });

  /** The wait before a slot's next worker: doubling with each crash in a row, at most MAX_BACKOFF_MS. */
  const backoff = (slot: number) => Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (crashes[slot] - 1));

  /** Starts another worker in the slot after its backoff, unless the cluster is stopping by then. */
  const replaceLater = (slot: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (stopping === null) {
        replace(slot);
      }
    }, backoff(slot));
    timers.add(timer);
  };

  /** A replacement that fails to start is retried the same way (after a longer backoff). */
  const replace = (slot: number) => {
    fork(slot).then(
      () => logger.log({ msg: 'service worker replaced', slot, pid: slots[slot]?.process.pid }, 'Cluster'),
      (error: Error) => {
        if (stopping === null) {
          logger.error(`${error.message}; starting another`, 'Cluster');
          crashes[slot] += 1;
          replaceLater(slot);
        }
      },
    );
  };

  const stop = () =>
    (stopping ??= (async () => {
      for (const timer of timers) {
        clearTimeout(timer);
      }
      const running = slots.filter((worker): worker is Worker => worker !== null);
      await Promise.all(
        running.map(
          (worker) =>
            new Promise<void>((resolve) => {
              if (worker.process.exitCode !== null || worker.process.signalCode !== null) {
                resolve();
                return;
              }
              const kill = setTimeout(() => worker.process.kill('SIGKILL'), WORKER_STOP_MS);
              worker.process.once('exit', () => {
                clearTimeout(kill);
                resolve();
              });
              worker.process.kill('SIGTERM');
            }),
        ),
      );
      await embedded?.stop();
    })());

  let url: string;
  try {
    url = await fork(0);
    await Promise.all(Array.from({ length: workers - 1 }, (_, i) => fork(i + 1)));
  } catch (error) {
    await stop();
    throw error;
  }
  embedded?.lock.update({ httpUrl: url });
  logger.log(
    { msg: `wg-enroll listening on ${url} (API docs: ${url}/docs)`, workers, pids: slots.map((w) => w?.process.pid) },
    'Main',
  );
  return {
    url,
    pids: () => slots.map((worker) => worker?.process.pid ?? 0),
    stop,
  };
}
