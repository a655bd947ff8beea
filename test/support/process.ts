import type { ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnProcess, type Spawned } from '../../scripts/lib/process.mjs';
import { LOG_DIR } from './paths';

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly url: Promise<string>;
  output(): string;
  exited: Promise<number | null>;
  /** The process as the shared spawner sees it (stop with a grace period, running()). */
  readonly spawned: Spawned;
}

let logCounter = 0;

/** Runs `node bin/wg-enroll.js <args>` (the built package command) and collects its output. */
export function runCli(args: string[], env: Record<string, string>): ServiceProcess {
  return runProcess(process.execPath, ['bin/wg-enroll.js', ...args], env);
}

/**
 * Runs any executable from the repository root with only PATH and `env` (the shared spawner,
 * scripts/lib/process.mjs), and collects its output; `url` resolves when the service logs
 * "listening on http://…". The output is also written to the suite's log folder when the
 * process ends, so the secret scan reads it.
 */
export function runProcess(file: string, args: string[], env: Record<string, string>): ServiceProcess {
  const spawned = spawnProcess(file, args, { env });
  const exited = spawned.exited.then(({ code }) => {
    try {
      appendFileSync(join(LOG_DIR, `${process.pid}-proc-${++logCounter}.log`), spawned.output());
    } catch {
      // The log folder exists only under the suite's global setup.
    }
    return code;
  });
  return { child: spawned.child, url: spawned.url, output: spawned.output, exited, spawned };
}
