import { AgentConfigError, runAgent } from '../agent/agent.cli';

// The configuration module (and zod with it, ~11 MB of resident memory) only for the commands
// that read it: the agent reads its own flags.
const env = () => import('../config/env.js');
const loadConfig = async () => (await env()).loadConfig();

// Each command loads only what it runs: the agent (on the hub) never loads NestJS, Prisma or
// the web pages — about 60 MB of resident memory it does not need.
async function server() {
  await import('reflect-metadata');
  return import('./serve.js');
}

const HELP = `wg-enroll — WireGuard enrollment service

Usage: wg-enroll [command]

Commands:
  serve            run the API (default). Without DATABASE_URL it starts an embedded Postgres
                   under DATA_DIR. Configuration comes from the environment (see .env.example).
  agent            run the hub agent on the hub (see: wg-enroll agent --help)
  migrate          apply database migrations and exit
  openapi [--check] write openapi/openapi.json from the code (or fail when it is stale)
  help             this text
`;

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  switch (command) {
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return 0;
    case 'agent':
      return runAgent(rest, process.env);
    case 'openapi': {
      const check = rest.includes('--check');
      await import('reflect-metadata');
      const { syncOpenApi } = await import('./openapi.js');
      const ok = await syncOpenApi(check);
      if (!ok) {
        process.stderr.write('openapi/openapi.json is stale: run `npm run openapi` and commit it.\n');
      }
      return ok ? 0 : 1;
    }
    case 'migrate': {
      const config = await loadConfig();
      if (config.databaseUrl !== undefined) {
        const { applyMigrations } = await import('../database/migrate.js');
        const applied = await applyMigrations(config.databaseUrl);
        process.stdout.write(`applied: ${applied.join(', ') || 'nothing (up to date)'}\n`);
        return 0;
      }
      const { prepareDatabase } = await server();
      const { JsonLogger } = await import('../common/logging/json-logger.js');
      const { embedded } = await prepareDatabase(config, new JsonLogger(config.logLevel));
      await embedded?.stop();
      return 0;
    }
    case 'serve': {
      const config = await loadConfig();
      const { serve } = await server();
      const service = await serve(config);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.stderr.write(`${signal}: shutting down\n`);
          resolve();
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
      await service.stop();
      // Everything is closed; a request that slipped in after the database pool closed may have
      // opened a connection of its own, which must not keep the process alive.
      return process.exit(0);
    }
    default:
      process.stderr.write(`unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  async (error: unknown) => {
    if (error instanceof AgentConfigError || error instanceof (await env()).ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every variable.\n`);
      process.exit(2);
    }
    process.stderr.write(`wg-enroll: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
