// @ts-check
// The one process spawner of the tests (test/support/process.ts, the tunnel harness) and the
// bench: runs an executable from the repository root, collects its output (all of it, or the
// last lines), hands every line to `onLine`, resolves `url` when a service logs
// "listening on http://…", and stops it with a signal (SIGKILL after a grace period).
import { spawn } from 'node:child_process';
import { clearTimeout, setTimeout } from 'node:timers';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The package command (`wg-enroll`), as built in dist/. */
export const BIN = resolve(ROOT, 'bin', 'wg-enroll.js');

/**
 * @typedef {object} SpawnOptions
 * @property {Record<string, string>} [env] added to the child's environment
 * @property {boolean} [inheritEnv] start from this process's environment (default: PATH only)
 * @property {(line: string, stream: 'stdout' | 'stderr') => void} [onLine] sees every output line
 * @property {(chunk: Buffer) => void} [onData] sees every output chunk (stdout and stderr)
 * @property {number} [keepChars] keep only the last N characters for output() (default: everything)
 */

/**
 * @typedef {object} Exit
 * @property {number | null} code
 * @property {NodeJS.Signals | null} signal
 */

/**
 * @typedef {object} Spawned
 * @property {import('node:child_process').ChildProcessByStdio<null, import('node:stream').Readable, import('node:stream').Readable>} child
 * @property {number} pid
 * @property {Promise<string>} url resolves on "listening on http://…", rejects if it exits first
 * @property {Promise<Exit>} exited
 * @property {() => string} output what it wrote so far (stdout and stderr interleaved)
 * @property {() => boolean} running
 * @property {(signal?: NodeJS.Signals, graceMs?: number) => Promise<Exit>} stop sends `signal`
 *   (SIGTERM), SIGKILL after graceMs (10 s), and resolves when it has exited
 */

/**
 * @param {string} file
 * @param {string[]} args
 * @param {SpawnOptions} [options]
 * @returns {Spawned}
 */
export function spawnProcess(file, args, options = {}) {
  const child = spawn(file, args, {
    cwd: ROOT,
    env: { ...(options.inheritEnv ? process.env : { PATH: process.env.PATH ?? '' }), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let done = false;
  /** @type {Promise<Exit>} */
  const exited = new Promise((res) => {
    child.once('exit', (code, signal) => {
      done = true;
      // 'exit' can come before the last output was read: resolve once the pipes are closed
      // ('close'), or after a short grace where a grandchild (a daemon) still holds them.
      const grace = setTimeout(() => res({ code, signal }), 500);
      child.once('close', () => {
        clearTimeout(grace);
        res({ code, signal });
      });
    });
    child.once('error', () => {
      done = true;
      res({ code: null, signal: null });
    });
  });
  if (child.pid === undefined) {
    throw new Error(`could not start ${file} ${args.join(' ')}`);
  }
  let out = '';
  /** @type {(url: string) => void} */
  let resolveUrl = () => undefined;
  /** @type {(error: Error) => void} */
  let rejectUrl = () => undefined;
  /** @type {Promise<string>} */
  const url = new Promise((res, rej) => {
    resolveUrl = res;
    rejectUrl = rej;
  });
  url.catch(() => undefined);
  let listening = false;
  /** @param {Buffer} chunk */
  const onData = (chunk) => {
    options.onData?.(chunk);
    out += chunk.toString();
    if (!listening) {
      const match = /listening on (http:\/\/[^\s"]+)/.exec(out);
      if (match) {
        listening = true;
        resolveUrl(match[1]);
      }
    }
    if (options.keepChars !== undefined && out.length > options.keepChars) {
      out = out.slice(-options.keepChars);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  if (options.onLine) {
    const onLine = options.onLine;
    for (const [stream, name] of /** @type {const} */ ([
      [child.stdout, 'stdout'],
      [child.stderr, 'stderr'],
    ])) {
      createInterface({ input: stream }).on('line', (line) => onLine(line, name));
    }
  }
  void exited.then(({ code }) => rejectUrl(new Error(`exited with ${code} before listening:\n${output()}`)));
  const output = () => out;
  /** @type {Promise<Exit> | null} */
  let stopping = null;
  return {
    child,
    pid: child.pid,
    url,
    exited,
    output,
    running: () => !done,
    stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (done) {
        return exited;
      }
      stopping ??= (async () => {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const exit = await exited;
        clearTimeout(timer);
        stopping = null;
        return exit;
      })();
      return stopping;
    },
  };
}
