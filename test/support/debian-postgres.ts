import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../src/database/embedded-postgres';

/**
 * A Postgres cluster of its own for a drill, from Debian's postgresql-15 package (installed by
 * .ci/run): initdb in a temp folder as the OS user postgres, on a fixed loopback port, so the
 * drill can stop it and start it again on the same address. Unlike the shared test cluster,
 * stopping it disturbs no other spec; and Debian's pg_dump (v15) matches it.
 */
export const PG_BIN = '/usr/lib/postgresql/15/bin';

/** Why a drill on a Debian cluster cannot run here, or null when it can. */
export function debianPostgresMissing(): string | null {
  if (!existsSync(join(PG_BIN, 'postgres')) || !existsSync(join(PG_BIN, 'pg_dump'))) {
    return `Debian's postgresql-15 is not installed (${PG_BIN}); .ci/run installs it`;
  }
  if (userInfo().uid !== 0) {
    return 'needs root, to run the cluster as the OS user postgres';
  }
  return null;
}

export interface DebianCluster {
  readonly port: number;
  /** Superuser URL of a database on this cluster. */
  url(database: string): string;
  start(): void;
  /** pg_ctl stop: "immediate" is a crash (no checkpoint), "fast" a clean shutdown. */
  stop(mode?: 'fast' | 'immediate'): void;
  createDatabase(name: string): Promise<string>;
  destroy(): void;
}

const asPostgres = (command: string, args: string[]) =>
  execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, command), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });

export async function startDebianCluster(): Promise<DebianCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'wg-enroll-pg15-'));
  const postgresUid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const postgresGid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(dir, postgresUid, postgresGid);
  const data = join(dir, 'data');
  asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync']);
  const port = await freePort();
  const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c max_connections=200 -c fsync=off`;
  const cluster: DebianCluster = {
    port,
    url: (database) => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    start: () => {
      asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '30', 'start']);
    },
    stop: (mode = 'fast') => {
      asPostgres('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
    },
    createDatabase: async (name) => {
      const admin = new Client({ connectionString: cluster.url('postgres') });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
      await admin.end();
      return cluster.url(name);
    },
    destroy: () => {
      try {
        cluster.stop('immediate');
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}
