import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parseWgDump, parseWgEndpoints, type WgDump } from '../domain/wg/dump';
import { planPeerChanges, type DesiredHubPeer } from '../domain/wg/plan';

const run = promisify(execFile);
const BIG = { maxBuffer: 256 * 1024 * 1024 };

export class WgUnavailableError extends Error {}

/**
 * The WireGuard tools, always through execFile with argument arrays (never a shell string). The
 * interface is never taken down (invariant 4).
 *
 * A change of peers goes to the interface as a delta computed against `wg show dump`: removed
 * keys with `wg set … peer K remove`, new or changed peers with `wg addconf` (peer sections
 * only). That is a full reconcile of the peers without touching the interface's own settings,
 * which matters on wireguard-go: it rebinds its UDP socket (dropping packets in flight)
 * whenever a listen port is set, even the same one, and `wg syncconf` always sets it. The full
 * `wg syncconf` runs when the interface itself must change (first apply, another private key or
 * listen port), on the config as wg(8) takes it, rendered by the agent beside the wg-quick file
 * (what `wg-quick strip <file>` would print, without running that script).
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

  /**
   * Brings the interface to the desired config; returns how ("syncconf" or "delta").
   * `wgConfig` renders the whole config in wg(8) form (no wg-quick keys), for `wg syncconf`:
   * rendered only when the interface itself changes.
   */
  async apply(
    iface: string,
    configFile: string,
    desired: {
      publicKey: string;
      listenPort: number;
      peers: readonly DesiredHubPeer[];
      wgConfig: () => Iterable<string>;
    },
  ): Promise<'syncconf' | 'delta'> {
    const current = await this.dump(iface);
    if (current.interface.publicKey !== desired.publicKey || current.interface.listenPort !== desired.listenPort) {
      await this.syncconf(iface, configFile, desired.wgConfig());
      return 'syncconf';
    }
    const plan = planPeerChanges(current.peers, desired.peers);
    if (plan.remove.length > 0) {
      await run('wg', ['set', iface, ...plan.remove.flatMap((key) => ['peer', key, 'remove'])], BIG);
    }
    if (plan.upsert.length > 0) {
      const text = plan.upsert
        .map(
          (p) =>
            `[Peer]\nPublicKey = ${p.publicKey}\nPresharedKey = ${p.presharedKey}\nAllowedIPs = ${p.allowedIps.join(', ')}\n`,
        )
        .join('\n');
      await this.withTempFile(configFile, iface, text, (file) => run('wg', ['addconf', iface, file], BIG));
    }
    return 'delta';
  }

  /** `wg syncconf <iface> <file>` with the config in wg(8) form, through a 0600 temporary file. */
  async syncconf(iface: string, configFile: string, wgConfig: string | Iterable<string>): Promise<void> {
    await this.withTempFile(configFile, iface, wgConfig, (file) => run('wg', ['syncconf', iface, file], BIG));
  }

  /** `wg show <iface> endpoints`: public key → endpoint, for peers that have one. */
  async endpoints(iface: string): Promise<Map<string, string>> {
    const { stdout } = await run('wg', ['show', iface, 'endpoints'], BIG);
    return parseWgEndpoints(stdout);
  }

  async dump(iface: string): Promise<WgDump> {
    const { stdout } = await run('wg', ['show', iface, 'dump'], BIG);
    return parseWgDump(stdout);
  }

  /** A 0600 file beside the config (same file system, same protection), removed afterwards. */
  private async withTempFile<T>(
    configFile: string,
    iface: string,
    text: string | Iterable<string>,
    fn: (file: string) => Promise<T>,
  ): Promise<T> {
    const file = join(dirname(configFile), `.${iface}.apply.${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(file, text, { mode: 0o600 });
    try {
      return await fn(file);
    } finally {
      await unlink(file).catch(() => undefined);
    }
  }
}
