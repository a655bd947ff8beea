import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneDatabase } from '../support/db';
import { ROOT } from '../support/paths';
import { runProcess, type ServiceProcess } from '../support/process';
import { apiClient, createNetwork, createToken, enrollPeer, expectStatus } from '../support/api';
import { buildDist, newAdminToken, report, startReplica, type Replica } from '../support/replica';

/**
 * The shipped systemd unit of the hub agent (deploy/systemd/wg-enroll-agent.service). There is
 * no systemd here, so the test does what systemd would: reads the unit, loads its
 * EnvironmentFile (written from deploy/systemd/agent.env.example with this test's values), runs
 * ExecStart as written in WorkingDirectory (the checkout stands in for /opt/wg-enroll), and
 * applies Restart=on-failure with RestartSec. The agent runs in file mode against a real API;
 * after a SIGKILL the restarted agent must converge within seconds, and a stop must stay stopped.
 */
const UNIT_FILE = join(ROOT, 'deploy', 'systemd', 'wg-enroll-agent.service');
const ENV_EXAMPLE = join(ROOT, 'deploy', 'systemd', 'agent.env.example');

type Unit = Record<string, Record<string, string[]>>;

/** systemd's unit syntax: [Section] headers, Key=Value lines (repeatable), # and ; comments. */
function parseUnit(text: string): Unit {
  const unit: Unit = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) {
      continue;
    }
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1];
      unit[section] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || section === '') {
      throw new Error(`not a unit line: ${raw}`);
    }
    const key = line.slice(0, eq).trim();
    (unit[section][key] ??= []).push(line.slice(eq + 1).trim());
  }
  return unit;
}

/** An EnvironmentFile: KEY=VALUE lines, # comments, optional quotes around the value. */
function parseEnvironmentFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) {
      continue;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) {
      throw new Error(`not an environment line: ${raw}`);
    }
    env[m[1]] = m[2].replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
  }
  return env;
}

/** systemd time spans as used here: "2s", "500ms", "1min", or plain seconds. */
function seconds(span: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|sec|min|m)?$/.exec(span);
  if (!m) {
    throw new Error(`unsupported time span ${span}`);
  }
  const unit = m[2] ?? 's';
  return Number(m[1]) * (unit === 'ms' ? 0.001 : unit === 'min' || unit === 'm' ? 60 : 1);
}

const one = (unit: Unit, section: string, key: string): string => {
  const values = unit[section]?.[key] ?? [];
  expect(values, `${section}.${key}`).toHaveLength(1);
  return values[0];
};

const unit = parseUnit(readFileSync(UNIT_FILE, 'utf8'));
const execStart = one(unit, 'Service', 'ExecStart').split(/\s+/);
const restartSec = seconds(one(unit, 'Service', 'RestartSec'));

let database: { url: string; drop: () => Promise<void> };
let adminToken: string;
let api: Replica;
let work: string;

beforeAll(async () => {
  buildDist();
  database = await cloneDatabase();
  adminToken = newAdminToken();
  api = await startReplica(database.url, adminToken);
  work = mkdtempSync(join(tmpdir(), 'wg-enroll-agent-unit-'));
}, 180_000);

afterAll(async () => {
  supervisor?.shutdown();
  const code = await api?.stop();
  await database?.drop();
  rmSync(work, { recursive: true, force: true });
  expect(code).toBe(0);
});

/**
 * What systemd does with this unit: start ExecStart; on a non-zero exit or a kill by a signal
 * other than SIGTERM/SIGINT/SIGHUP/SIGPIPE (Restart=on-failure) start it again RestartSec later.
 */
class Supervisor {
  current!: ServiceProcess;
  starts = 0;
  private stopped = false;

  constructor(private readonly env: Record<string, string>) {
    this.start();
  }

  private start(): void {
    this.starts++;
    const p = runProcess(execStart[0], execStart.slice(1), this.env);
    this.current = p;
    p.child.once('exit', (code, signal) => {
      const clean = code === 0 || (signal !== null && ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGPIPE'].includes(signal));
      if (!clean && !this.stopped) {
        setTimeout(() => this.start(), restartSec * 1000);
      }
    });
  }

  shutdown(): void {
    this.stopped = true;
    this.current.child.kill('SIGTERM');
  }
}

let supervisor: Supervisor | undefined;

async function until(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > ms) {
      throw new Error(`not within ${ms} ms: ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return performance.now() - started;
}

describe('deploy/systemd/wg-enroll-agent.service', () => {
  it('restarts on failure after a short pause, from an EnvironmentFile, through the package bin (not npx)', () => {
    expect(one(unit, 'Service', 'Restart')).toBe('on-failure');
    expect(restartSec).toBeGreaterThan(0);
    expect(restartSec).toBeLessThanOrEqual(5);
    expect(one(unit, 'Service', 'EnvironmentFile')).toMatch(/^-?\//);
    expect(isAbsolute(execStart[0])).toBe(true);
    expect(execStart.join(' ')).not.toMatch(/\bnpx\b|\bnpm\b/);
    expect(execStart.slice(-2)).toEqual(['bin/wg-enroll.js', 'agent']);
    expect(one(unit, 'Service', 'WorkingDirectory')).toBe('/opt/wg-enroll');
    expect(one(unit, 'Install', 'WantedBy')).toBe('multi-user.target');
  });

  it('ExecStart as written starts the agent; after SIGKILL it is back and converged within seconds', async () => {
    if (!existsSync(execStart[0])) {
      throw new Error(
        `ExecStart's ${execStart[0]} does not exist here: the unit names a path Debian's nodejs does not`,
      );
    }
    const admin = apiClient(api.url, adminToken);
    await createNetwork(admin, { name: 'unit', ipv4Cidr: '10.91.0.0/24', endpoint: 'hub.example.org:51820' });
    const token = await createToken(admin, { name: 'hub', role: 'agent', network: 'unit' });
    const tokenFile = join(work, 'agent-token');
    writeFileSync(tokenFile, `${token.token}\n`, { mode: 0o600 });
    const configDir = join(work, 'wireguard');
    // The example file, with this hub's values: every variable it names is one the agent reads.
    const example = parseEnvironmentFile(readFileSync(ENV_EXAMPLE, 'utf8'));
    const values: Record<string, string> = {
      AGENT_API_URL: api.url,
      AGENT_NETWORK: 'unit',
      AGENT_TOKEN_FILE: tokenFile,
      AGENT_CONFIG_DIR: configDir,
      AGENT_APPLY: 'none',
      AGENT_REPORT_INTERVAL: '1',
    };
    expect(Object.keys(values).filter((k) => !(k in example))).toEqual([]);
    const envFile = join(work, 'agent.env');
    writeFileSync(
      envFile,
      readFileSync(ENV_EXAMPLE, 'utf8').replace(/^([A-Z_]+)=.*$/gm, (line, key: string) =>
        key in values ? `${key}=${values[key]}` : line,
      ),
    );
    supervisor = new Supervisor(parseEnvironmentFile(readFileSync(envFile, 'utf8')));
    const hubFile = join(configDir, 'wg0.conf');
    const hasPeer = (key: string) => () =>
      existsSync(hubFile) && readFileSync(hubFile, 'utf8').includes(`PublicKey = ${key}`);

    const enroll = async (name: string) => (await enrollPeer(admin, 'unit', { name })).peer.publicKey;
    // The first run registers the hub key; then the network takes enrollments.
    await until('hub key registered', () => existsSync(join(configDir, 'wg0.key')), 20_000);
    await until(
      'hub registered in the API',
      async () =>
        typeof (await expectStatus(200, admin.GET('/v1/networks/{network}', { params: { path: { network: 'unit' } } })))
          .hubPublicKey === 'string',
      20_000,
    );
    const first = await enroll('before-crash');
    await until('first peer in the hub file', hasPeer(first), 10_000);

    // A crash: SIGKILL. A peer enrolled while the agent is down must reach the hub file after the restart.
    const killedAt = performance.now();
    const killed = supervisor.current;
    killed.child.kill('SIGKILL');
    await killed.exited;
    const second = await enroll('during-crash');
    await until('restarted agent converged', hasPeer(second), 15_000);
    const convergedS = (performance.now() - killedAt) / 1000;
    report(`agent unit: SIGKILL → restarted (RestartSec ${restartSec} s) and converged in ${convergedS.toFixed(2)} s`);
    expect(supervisor.starts).toBe(2);
    expect(convergedS).toBeLessThan(restartSec + 10);

    // A stop is not a failure: the agent exits 0 and is not restarted.
    const stopped = supervisor.current;
    supervisor.shutdown();
    expect(await stopped.exited).toBe(0);
    await new Promise((r) => setTimeout(r, (restartSec + 1) * 1000));
    expect(supervisor.starts).toBe(2);
  }, 120_000);
});
