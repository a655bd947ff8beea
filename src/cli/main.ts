import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { AgentConfigError, runAgent } from '../agent/agent.cli';
import { JsonLogger, LOG_FORMATS, logFormatFrom, prettySink, type LogFormat } from '../common/logging/json-logger';
import type { AppConfig } from '../config/env';
import { DataFolderBusyError } from '../database/data-folder-lock';
import { StartupError } from './startup-error';

// The configuration module (and zod with it, ~11 MB of resident memory) only for the commands
// that read it: the agent reads its own flags.
let env: typeof import('../config/env') | undefined;
async function loadConfig(): Promise<AppConfig> {
  env ??= await import('../config/env.js');
  return env.loadConfig();
}

// Each command loads only what it runs: the agent (on the hub) never loads NestJS, Prisma or
// the web pages — about 60 MB of resident memory it does not need.
async function server() {
  await import('reflect-metadata');
  return import('./serve.js');
}

/**
 * Variables from ENV_FILE (default: .env in the working folder) where the file exists; a
 * variable already in the environment wins over the file (Node's own loader does that).
 */
function loadEnvFile(): void {
  const file = resolve(process.env.ENV_FILE ?? '.env');
  if (existsSync(file)) {
    process.loadEnvFile(file);
  } else if (process.env.ENV_FILE !== undefined) {
    throw new StartupError(`ENV_FILE ${file} does not exist; set ENV_FILE to an existing file or unset it`, 2);
  }
}

/** LOG_FORMAT (read here, beside the configuration): json, pretty, or auto (pretty on a terminal). */
function logFormat(): LogFormat {
  const value = process.env.LOG_FORMAT;
  if (value !== undefined && value !== '' && !(LOG_FORMATS as readonly string[]).includes(value)) {
    throw new StartupError(`LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}`, 2);
  }
  return logFormatFrom(value, process.stdout.isTTY === true);
}

/** What a person at a terminal needs after the start: where to go and what to do next. */
function summary(url: string, config: AppConfig): string {
  const token =
    config.adminToken !== undefined ? 'ADMIN_TOKEN (from the environment)' : join(config.dataDir, 'admin-token');
  return [
    '',
    `wg-enroll is running at ${url}`,
    `  enroll page   ${url}/`,
    `  status page   ${url}/status`,
    `  API docs      ${url}/docs`,
    `  admin token   ${token}`,
    '  next step     sign in on the status page with the admin token, or follow',
    '                "The main flow with curl" in README.md. Stop with Ctrl-C.',
    '',
    '',
  ].join('\n');
}

async function serveCommand(): Promise<number> {
  const format = logFormat();
  const config = await loadConfig();
  const { serve } = await server();
  const { isClusterWorker, serveWorker, servePrimary } = await import('./cluster.js');
  const logger = new JsonLogger(config.logLevel, format === 'pretty' ? prettySink() : undefined);
  // The handlers come before the start: a signal while it runs (or just after "listening") stops
  // the service once it is up, never the process halfway with its embedded Postgres left running.
  // A worker (WEB_CONCURRENCY > 1) stops the same way, on its primary's SIGTERM or a terminal's
  // SIGINT (which reaches the whole process group), and says nothing about it: the primary does.
  const worker = isClusterWorker();
  const signalled = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const service =
    worker || config.webConcurrency <= 1
      ? await (worker ? serveWorker(config, logger) : serve(config, logger))
      : await servePrimary(config, logger, config.webConcurrency);
  if (format === 'pretty' && config.logLevel !== 'silent' && !worker) {
    process.stdout.write(summary(service.url, config));
  }
  const signal = await signalled;
  if (!worker) {
    process.stderr.write(`${signal}: shutting down\n`);
  }
  await service.stop();
  // Everything is closed; a request that slipped in after the database pool closed may have
  // opened a connection of its own, which must not keep the process alive.
  return process.exit(0);
}

async function migrateCommand(): Promise<number> {
  const config = await loadConfig();
  const { applyMigrations } = await import('../database/migrate.js');
  const { checkDatabase } = await import('./preflight.js');
  const report = (applied: string[]) =>
    process.stdout.write(`applied: ${applied.join(', ') || 'nothing (up to date)'}\n`);
  if (config.databaseUrl !== undefined) {
    await checkDatabase(config.databaseUrl);
    report(await applyMigrations(config.databaseUrl));
    return 0;
  }
  const { prepareDatabase } = await server();
  const logger = new JsonLogger(config.logLevel, logFormat() === 'pretty' ? prettySink() : undefined);
  try {
    const { embedded } = await prepareDatabase(config, logger, { command: 'migrate' });
    await embedded?.stop();
    return 0;
  } catch (error) {
    // A running server holds the folder: its database is the one to migrate. Applying migrations
    // beside it is safe (one advisory lock; replicas on one database do the same).
    if (!(error instanceof DataFolderBusyError) || error.holder.postgresPort === undefined) {
      throw error;
    }
    const { embeddedDatabaseUrl } = await import('../database/embedded-postgres.js');
    process.stderr.write(
      `DATA_DIR is held by wg-enroll ${error.holder.command} (pid ${error.holder.pid}): ` +
        `migrating its database (127.0.0.1:${error.holder.postgresPort})\n`,
    );
    report(await applyMigrations(embeddedDatabaseUrl(config.dataDir, error.holder.postgresPort)));
    return 0;
  }
}

async function openapiCommand(check: boolean): Promise<number> {
  await import('reflect-metadata');
  const { syncOpenApi } = await import('./openapi.js');
  const ok = await syncOpenApi(check);
  if (!ok) {
    process.stderr.write('openapi/openapi.json is stale: run `npm run openapi` and commit it.\n');
  }
  return ok ? 0 : 1;
}

/** The command line (commander): `--help` and misuse answer with usage and run nothing. */
function program(run: (code: Promise<number>) => Promise<void>): Command {
  const cli = new Command('wg-enroll')
    .description('WireGuard enrollment service. Configuration comes from the environment (see .env.example).')
    .usage('[command] [options]')
    .exitOverride()
    .showHelpAfterError('(wg-enroll --help for usage)')
    .allowExcessArguments(false);
  cli
    .command('serve')
    .description('run the API (default). Without DATABASE_URL it starts an embedded Postgres under DATA_DIR.')
    .allowExcessArguments(false)
    .action(() => run(serveCommand()));
  cli
    .command('agent')
    .description('run the hub agent on the hub (see: wg-enroll agent --help)')
    // The agent parses its own options (and --help), so that it loads nothing else.
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[options...]')
    .action((args: string[]) => run(runAgent(args, process.env)));
  cli
    .command('join')
    .description(
      'join this machine to a network: key made here, config installed, tunnel up (see: wg-enroll join --help)',
    )
    // The script (deploy/join.sh, also served as GET /join.sh) parses its own options and --help.
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[options...]')
    .action(async (args: string[]) => {
      const { runJoin } = await import('./join.js');
      await run(runJoin(args));
    });
  cli
    .command('migrate')
    .description('apply database migrations and exit')
    .allowExcessArguments(false)
    .action(() => run(migrateCommand()));
  cli
    .command('openapi')
    .description('write openapi/openapi.json from the code')
    .option('--check', 'only check: fail when the committed file is stale')
    .allowExcessArguments(false)
    .action((options: { check?: boolean }) => run(openapiCommand(options.check === true)));
  return cli;
}

async function main(argv: string[]): Promise<number> {
  let result = 0;
  const cli = program(async (code) => {
    result = await code;
  });
  try {
    await cli.parseAsync(argv.length === 0 ? ['serve'] : argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help (asked for, or `wg-enroll help`) is 0; a misused command line is 2.
      return ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code)
        ? 0
        : error.exitCode === 0
          ? 0
          : 2;
    }
    throw error;
  }
  return result;
}

function fail(error: unknown): never {
  if ((env !== undefined && error instanceof env.ConfigError) || error instanceof AgentConfigError) {
    process.stderr.write(`${error.message}\nSee .env.example for every variable.\n`);
    process.exit(2);
  }
  if (error instanceof StartupError || error instanceof DataFolderBusyError) {
    process.stderr.write(`wg-enroll: ${error.message}\n`);
    process.exit(error instanceof StartupError ? error.exitCode : 1);
  }
  process.stderr.write(`wg-enroll: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
}

try {
  loadEnvFile();
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  }, fail);
} catch (error) {
  fail(error);
}
