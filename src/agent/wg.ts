import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parseWgDump, type WgDump } from '../domain/wg/dump';

const run = promisify(execFile);

export class WgUnavailableError extends Error {}

/**
 * The WireGuard tools, always through execFile with argument arrays (never a shell string).
 * Applying is `wg syncconf` on the output of `wg-quick strip`, which changes only what differs:
 * other peers keep their sessions (invariant 4). The interface is never taken down.
 */
export class Wg {
  async check(iface: string): Promise<void> {
    try {
      await run('wg', ['--version']);
    } catch {
      throw new WgUnavailableError('the `wg` command is not installed (Debian: apt-get install wireguard-tools)');
    }
    try {
      await run('wg', ['show', iface, 'public-key']);
    } catch {
      throw new WgUnavailableError(
        `the WireGuard interface "${iface}" does not exist: create it once (wg-quick up <config-dir>/${iface}.conf, ` +
          `or ip link add ${iface} type wireguard, or wireguard-go ${iface}); the agent never creates or restarts it`,
      );
    }
  }

  /** wg syncconf <iface> <(wg-quick strip <file>), without a shell. */
  async syncconf(iface: string, configFile: string): Promise<void> {
    const { stdout: full } = await run('wg-quick', ['strip', configFile], { maxBuffer: 256 * 1024 * 1024 });
    // wireguard-go rebinds its UDP socket whenever a listen port is set, even the same one, and
    // drops the packets in flight; so the port is only sent when it changes.
    const { stdout: port } = await run('wg', ['show', iface, 'listen-port']);
    const stdout = withoutUnchangedListenPort(full, Number(port.trim()));
    const stripped = join(dirname(configFile), `.${iface}.stripped.${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(stripped, stdout, { mode: 0o600 });
    try {
      await run('wg', ['syncconf', iface, stripped], { maxBuffer: 64 * 1024 * 1024 });
    } finally {
      await unlink(stripped).catch(() => undefined);
    }
  }

  async dump(iface: string): Promise<WgDump> {
    const { stdout } = await run('wg', ['show', iface, 'dump'], { maxBuffer: 256 * 1024 * 1024 });
    return parseWgDump(stdout);
  }
}

/** Drops the [Interface] ListenPort line when it equals the interface's current port. */
export function withoutUnchangedListenPort(stripped: string, currentPort: number): string {
  return stripped.replace(/^ListenPort[ \t]*=[ \t]*(\d+)[ \t]*\n/m, (line, port: string) =>
    Number(port) === currentPort ? '' : line,
  );
}
