import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from './paths';

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly url: Promise<string>;
  output(): string;
  exited: Promise<number | null>;
}

/** Runs `node bin/wg-enroll.js <args>` (the built package command) and collects its output. */
export function runCli(args: string[], env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ['bin/wg-enroll.js', ...args], {
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
  void exited.then((code) => rejectUrl(new Error(`exited with ${code} before listening:\n${out}`)));
  url.catch(() => undefined);
  return { child, url, output: () => out, exited };
}
