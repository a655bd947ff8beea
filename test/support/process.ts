import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_DIR, ROOT } from './paths';

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly url: Promise<string>;
  output(): string;
  exited: Promise<number | null>;
}

let logCounter = 0;

/** Runs `node bin/wg-enroll.js <args>` (the built package command) and collects its output. */
export function runCli(args: string[], env: Record<string, string>): ServiceProcess {
  return runProcess(process.execPath, ['bin/wg-enroll.js', ...args], env);
}

/**
 * Runs any executable from the repository root with only PATH and `env`, and collects its
 * output; `url` resolves when the service logs "listening on http://…". The output is also
 * written to the suite's log folder when the process ends, so the secret scan reads it.
 */
export function runProcess(file: string, args: string[], env: Record<string, string>): ServiceProcess {
  const child = spawn(file, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let resolveUrl: (url: string) => void;
  let rejectUrl: (error: Error) => void;
  const url = new Promise<string>((resolve, reject) => {
    resolveUrl = resolve;
    rejectUrl = reject;
  });
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    const match = /listening on (http:\/\/[^\s"]+)/.exec(out);
    if (match) {
      resolveUrl(match[1]);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  void exited.then((code) => {
    rejectUrl(new Error(`exited with ${code} before listening:\n${out}`));
    try {
      appendFileSync(join(LOG_DIR, `${process.pid}-proc-${++logCounter}.log`), out);
    } catch {
      // The log folder exists only under the suite's global setup.
    }
  });
  url.catch(() => undefined);
  return { child, url, output: () => out, exited };
}
