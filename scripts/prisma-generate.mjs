#!/usr/bin/env node
// Generates the Prisma client into src/generated/prisma. `prisma generate` needs no database,
// but Prisma's CLI insists on locating its native schema engine, which cannot be downloaded
// where only the npm registry is reachable; any existing file satisfies that check, and the
// engine is never run by `generate`. Where the engine is installed, the variable is left alone.
import { spawnSync } from 'node:child_process';

const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
const result = spawnSync(process.execPath, ['node_modules/prisma/build/index.js', 'generate'], {
  stdio: 'inherit',
  env,
});
process.exit(result.status ?? 1);
