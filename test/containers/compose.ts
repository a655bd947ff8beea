import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { ROOT } from '../support/paths';

/**
 * Runs docker/compose.yml's services with podman, one `podman run` per container, with the
 * settings read from the file (nothing copied by hand). podman-compose (Debian 1.0.3) is not
 * used: it starts a dependent service without waiting for `condition: service_healthy`
 * (containers/podman-compose#866, seen on 1.0.6 with this podman 4.3.1), and a health status
 * here needs a hand-run check anyway (no systemd for podman's timers). What
 * the compose engine would do is done here in the open: project-prefixed names, one network
 * per compose network with the service name as DNS alias, named volumes, the health check run
 * by hand (`podman healthcheck run`) until it passes.
 */

const execFileAsync = promisify(execFile);

export const CONTAINERS_CONF = process.env.CONTAINERS_CONF ?? join(ROOT, 'scripts', 'containers', 'containers.conf');

export async function podman(args: string[], opts: { allowFailure?: boolean; timeoutMs?: number } = {}) {
  try {
    const { stdout, stderr } = await execFileAsync('podman', args, {
      env: { ...process.env, CONTAINERS_CONF },
      maxBuffer: 64 * 1024 * 1024,
      timeout: opts.timeoutMs ?? 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    if (!opts.allowFailure) {
      throw new Error(`podman ${args.join(' ')} failed (${e.code}): ${e.stderr ?? ''}`.slice(0, 4000), {
        cause: error,
      });
    }
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export type ComposeService = Record<string, unknown> & {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  environment?: Record<string, string>;
};

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
  networks?: Record<string, unknown>;
}

export const COMPOSE_FILE = join(ROOT, 'docker', 'compose.yml');

/**
 * Compose's variable interpolation, the forms the Compose Specification defines: $$, ${VAR},
 * ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error} (and $VAR). Written here because
 * no npm package implements Compose's rules on their own (dotenv-expand has other semantics:
 * no ?error forms).
 */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, name: string | undefined, colon: string, op: string, arg: string, bare: string | undefined) => {
      if (whole === '$$') {
        return '$';
      }
      const key = name ?? bare ?? '';
      const value = env[key];
      const missing = value === undefined || (colon === ':' && value === '');
      if (op === '-') {
        return missing ? arg : (value as string);
      }
      if (op === '?' && missing) {
        throw new Error(`compose: ${key}: ${arg}`);
      }
      return value ?? '';
    },
  );
}

function interpolateTree(node: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof node === 'string') {
    return interpolate(node, env);
  }
  if (Array.isArray(node)) {
    return node.map((n) => interpolateTree(n, env));
  }
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateTree(v, env)]));
  }
  return node;
}

/** One service of docker/compose.yml, interpolated with `env` (YAML anchors already resolved). */
export function composeService(name: string, env: Record<string, string | undefined>): ComposeService {
  const file = parse(readFileSync(COMPOSE_FILE, 'utf8')) as ComposeFile;
  const service = file.services[name];
  if (!service) {
    throw new Error(`compose: no service ${name}`);
  }
  return interpolateTree(service, env) as ComposeService;
}

export function composeFile(): ComposeFile {
  return parse(readFileSync(COMPOSE_FILE, 'utf8')) as ComposeFile;
}

/** Compose duration ("15s", "1m30s", "500ms") in seconds. */
export function seconds(duration: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6, ns: 1e-9 };
  let total = 0;
  for (const [, n, unit] of String(duration).matchAll(/(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/g)) {
    total += Number(n) * units[unit];
  }
  return total;
}

/** Keys the translation below understands; any other key fails the run rather than be dropped. */
const HANDLED = new Set([
  'build',
  'image',
  'command',
  'environment',
  'depends_on',
  'ports',
  'read_only',
  'tmpfs',
  'stop_grace_period',
  'restart',
  'networks',
  'network_mode',
  'cap_add',
  'volumes',
  'healthcheck',
]);

export interface RunOptions {
  project: string;
  service: string;
  /** Container name (compose: <project>-<service>-<n>). */
  name: string;
  spec: ComposeService;
  /** Replaces the service's image (the registry's postgres image is not reachable here). */
  image?: string;
  /** Replaces compose's restart policy (e.g. "no" to read one failed start's exit code). */
  restart?: string;
  labels?: Record<string, string>;
}

/** The `podman run` arguments for one container of a compose service. */
export function runArgs(o: RunOptions): string[] {
  const s = o.spec;
  const unknown = Object.keys(s).filter((k) => !HANDLED.has(k));
  if (unknown.length > 0) {
    throw new Error(`compose service ${o.service}: no podman translation for ${unknown.join(', ')}`);
  }
  const args = ['run', '-d', '--name', o.name, '--label', `com.docker.compose.project=${o.project}`];
  args.push('--label', `com.docker.compose.service=${o.service}`);
  for (const [k, v] of Object.entries(o.labels ?? {})) {
    args.push('--label', `${k}=${v}`);
  }
  for (const [k, v] of Object.entries(s.environment ?? {})) {
    args.push('--env', `${k}=${v}`);
  }
  if (s.network_mode === 'host') {
    args.push('--network', 'host');
  } else if (s.network_mode !== undefined) {
    throw new Error(`compose service ${o.service}: network_mode ${String(s.network_mode)}`);
  } else {
    const networks = (s.networks as string[] | undefined) ?? ['default'];
    for (const n of networks) {
      args.push('--network', `${o.project}_${n}`, '--network-alias', o.service);
    }
  }
  for (const p of (s.ports as string[] | undefined) ?? []) {
    args.push('--publish', p);
  }
  if (s.read_only === true) {
    // Compose's read_only is the root alone; podman would add tmpfs on /run, /tmp and /var/tmp.
    args.push('--read-only', '--read-only-tmpfs=false');
  }
  for (const t of (s.tmpfs as string[] | undefined) ?? []) {
    args.push('--tmpfs', t);
  }
  for (const v of (s.volumes as string[] | undefined) ?? []) {
    const [source, ...rest] = v.split(':');
    const named = !source.startsWith('/') && !source.startsWith('.');
    args.push('--volume', [named ? `${o.project}_${source}` : source, ...rest].join(':'));
  }
  for (const c of (s.cap_add as string[] | undefined) ?? []) {
    args.push('--cap-add', c);
  }
  if (s.stop_grace_period !== undefined) {
    args.push('--stop-timeout', String(Math.ceil(seconds(String(s.stop_grace_period)))));
  }
  const restart = o.restart ?? (s.restart as string | undefined);
  if (restart !== undefined) {
    args.push('--restart', restart);
  }
  const health = s.healthcheck as
    { test?: string[]; interval?: string; timeout?: string; retries?: number } | undefined;
  if (health?.test) {
    const [kind, ...cmd] = health.test;
    args.push('--health-cmd', kind === 'CMD-SHELL' ? cmd.join(' ') : JSON.stringify(cmd));
    if (health.interval) {
      args.push('--health-interval', health.interval);
    }
    if (health.timeout) {
      args.push('--health-timeout', health.timeout);
    }
    if (health.retries !== undefined) {
      args.push('--health-retries', String(health.retries));
    }
  }
  const image = o.image ?? s.image;
  if (!image) {
    throw new Error(`compose service ${o.service}: no image`);
  }
  args.push(image);
  if (s.command !== undefined) {
    args.push(...(Array.isArray(s.command) ? (s.command as string[]) : String(s.command).split(' ')));
  }
  return args;
}

/**
 * Waits for the service's compose health check, run by hand (no systemd here to run its timer),
 * for at most interval × retries as compose would.
 */
export async function waitHealthy(name: string, spec: ComposeService): Promise<void> {
  const health = spec.healthcheck as { interval?: string; retries?: number };
  const budget = seconds(health.interval ?? '30s') * (health.retries ?? 3) * 1000;
  const deadline = Date.now() + budget;
  let last = '';
  while (Date.now() < deadline) {
    const r = await podman(['healthcheck', 'run', name], { allowFailure: true });
    if (r.code === 0) {
      return;
    }
    last = `${r.stdout}${r.stderr}`;
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error(`${name}: not healthy within ${budget / 1000} s: ${last}\n${await logs(name)}`);
}

export async function logs(name: string): Promise<string> {
  const r = await podman(['logs', name], { allowFailure: true });
  return `${r.stdout}${r.stderr}`;
}

export async function inspect<T = Record<string, unknown>>(name: string): Promise<T> {
  const r = await podman(['inspect', '--type', 'container', name]);
  return (JSON.parse(r.stdout) as T[])[0];
}

/** The host port a container's port was published on. */
export async function hostPort(name: string, port: number): Promise<number> {
  const r = await podman(['port', name, `${port}/tcp`]);
  const m = /:(\d+)\s*$/m.exec(r.stdout.trim());
  if (!m) {
    throw new Error(`${name}: ${port}/tcp is not published (${r.stdout})`);
  }
  return Number(m[1]);
}
