import { spawn } from 'node:child_process';
import { JOIN_SCRIPT_FILE } from '../web/web-files';

/**
 * `wg-enroll join [options]`: runs deploy/join.sh of this install with sh, arguments and
 * stdio passed through, and exits with its code. One implementation, in one place: the script
 * the service serves as GET /join.sh is the same file, so the two cannot drift apart, and this
 * runs no code fetched from the network. The script parses its own options (and --help).
 */
export function runJoin(args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [JOIN_SCRIPT_FILE, ...args], { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128 + 15)));
  });
}
