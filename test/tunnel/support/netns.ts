/**
 * A user-space WireGuard lab for tunnel tests: network namespaces joined by veth pairs, every
 * WireGuard interface made by wireguard-go (the kernel here has no WireGuard module).
 *
 *   root ns ── wge<tag>r 10.214.<x>.1/30 ══ veth ══ uplink 10.214.<x>.2/30 ── wge-<tag>-hub
 *                                                   br0 10.213.<x>.1/24 ──┬── vn1 ══ eth0 10.213.<x>.11/24 (wge-<tag>-n1)
 *                                                                         └── vn2 ══ eth0 10.213.<x>.12/24 (wge-<tag>-n2) …
 *
 * Rules this module keeps:
 * - Traffic only ever goes to namespaces the lab created (no default routes anywhere, the hub
 *   reaches the root namespace only through the /30 uplink, meant for a test's HTTP server).
 * - Everything is named after the tag and torn down by name; createLab() first removes what a
 *   crashed run with the same tag left behind (namespaces, the root-side veth, processes
 *   inside those namespaces, recorded wireguard-go processes and their UAPI sockets).
 * - wireguard-go's UAPI socket is /var/run/wireguard/<ifname>.sock, shared by ALL namespaces,
 *   so WireGuard interface names must be unique machine-wide: they must start with "wge"
 *   (use lab.ifname('1') → 'wge<tag>1'), and a socket that a live process still serves is
 *   never touched.
 * - Commands run with execFile/spawn and argument arrays, always asynchronously (the tests run
 *   an HTTP server in the same process). Only whyUnavailable() is synchronous: it reads files.
 *
 * Two labs with the same tag must not run at the same time (the second one removes the first).
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { basename, delimiter, join } from 'node:path';
import { spawnProcess } from '../../../scripts/lib/process.mjs';
import { parseWgDump, type WgDump } from '../../../src/domain/wg/dump';

const WG_RUN_DIR = '/var/run/wireguard';
const LAB_RUN_DIR = '/run/wge-lab';
const EXTRA_PATH = ['/usr/local/sbin', '/usr/sbin', '/sbin'];
const TOOLS = ['ip', 'wireguard-go', 'wg', 'wg-quick', 'ping'] as const;
type Tool = (typeof TOOLS)[number];

// ---------------------------------------------------------------------------------------------
// Availability

const SEARCH_PATH = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_PATH];
/** PATH for every child: the caller's PATH plus the sbin folders (ip lives in /usr/sbin). */
const CHILD_PATH = [...new Set(SEARCH_PATH)].join(delimiter);

function which(name: string): string | null {
  for (const dir of SEARCH_PATH) {
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

let toolPaths: Record<Tool, string> | null = null;
let unavailable: string | null | undefined;

/**
 * Why the lab cannot run here, or null when it can: needs uid 0 with CAP_NET_ADMIN and
 * CAP_SYS_ADMIN, /dev/net/tun, and ip, wireguard-go, wg, wg-quick and ping on PATH (or sbin).
 * Synchronous and cheap (reads files only), so it can be used in describe.skipIf().
 */
export function whyUnavailable(): string | null {
  if (unavailable !== undefined) {
    return unavailable;
  }
  const reasons: string[] = [];
  if (process.platform !== 'linux') {
    reasons.push('not Linux');
  } else {
    if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
      reasons.push('not running as root');
    }
    try {
      const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';
      const caps = BigInt(`0x${capEff}`);
      if ((caps & (1n << 12n)) === 0n) {
        reasons.push('no CAP_NET_ADMIN');
      }
      if ((caps & (1n << 21n)) === 0n) {
        reasons.push('no CAP_SYS_ADMIN (needed by ip netns)');
      }
    } catch {
      reasons.push('cannot read /proc/self/status');
    }
    if (!existsSync('/dev/net/tun')) {
      reasons.push('no /dev/net/tun');
    }
  }
  const found: Partial<Record<Tool, string>> = {};
  const missing: string[] = [];
  for (const tool of TOOLS) {
    const path = which(tool);
    if (path) {
      found[tool] = path;
    } else {
      missing.push(tool);
    }
  }
  if (missing.length > 0) {
    reasons.push(`missing ${missing.join(', ')} (apt-get install iproute2 wireguard-go wireguard-tools iputils-ping)`);
  } else {
    toolPaths = found as Record<Tool, string>;
  }
  unavailable = reasons.length > 0 ? reasons.join('; ') : null;
  return unavailable;
}

/** True when the lab can run: root, the capabilities, /dev/net/tun and every tool. */
export function root(): boolean {
  return whyUnavailable() === null;
}

function tool(name: Tool): string {
  const reason = whyUnavailable();
  if (reason !== null || !toolPaths) {
    throw new Error(`tunnel lab unavailable: ${reason ?? 'unknown'}`);
  }
  return toolPaths[name];
}

// ---------------------------------------------------------------------------------------------
// Running commands

/** A failed command: message has the command line, exit code and stderr. */
export class CommandError extends Error {
  constructor(
    readonly command: string[],
    readonly code: number | string | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`${command.join(' ')} failed (${code ?? 'signal'}): ${stderr.trim() || stdout.trim() || '(no output)'}`);
    this.name = 'CommandError';
  }
}

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PATH: CHILD_PATH, LC_ALL: 'C', ...extra };
}

interface RunOptions {
  timeoutMs?: number;
  env?: Record<string, string>;
}

/** execFile as a promise: resolves stdout, rejects with a CommandError carrying stderr. */
function run(cmd: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      {
        env: childEnv(options.env),
        timeout: options.timeoutMs ?? 30_000,
        maxBuffer: 32 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as { code?: number | string }).code ?? null;
          reject(new CommandError([cmd, ...args], error.killed ? 'timed out' : code, stdout, stderr));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

/** Like run(), but a failure is ignored (teardown of things that may not exist). */
async function tryRun(cmd: string, args: string[]): Promise<string | null> {
  try {
    return await run(cmd, args);
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Running (a zombie counts as gone: PID 1 of this container reaps orphans only lazily). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Waits until the pid is gone (or the timeout passes); true when gone. */
async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > until) {
      return false;
    }
    await sleep(20);
  }
  return true;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** SIGTERM (or the given signal), then SIGKILL after graceMs; resolves when the pid is gone. */
async function terminate(pid: number, sig: NodeJS.Signals = 'SIGTERM', graceMs = 3_000): Promise<void> {
  signal(pid, sig);
  if (!(await waitGone(pid, graceMs))) {
    signal(pid, 'SIGKILL');
    await waitGone(pid, 3_000);
  }
}

// ---------------------------------------------------------------------------------------------
// The lab

/** A process the lab started (wireguard-go, ping, or anything from lab.spawn()). */
export interface LabProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly ns: string;
  /** stdout and stderr so far (the last 64 KiB). */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Sends the signal (SIGTERM by default), SIGKILL after 3 s; resolves when it is gone. */
  stop(sig?: NodeJS.Signals): Promise<void>;
}

export interface Lab {
  readonly tag: string;
  /** The <x> in 10.213.<x>.0/24 and 10.214.<x>.0/30, derived from the tag. */
  readonly octet: number;
  /** 'wge-<tag>-hub' */
  readonly hubNs: string;
  /** ['wge-<tag>-n1', …]; node i (1-based) is nodeNs[i - 1]. */
  readonly nodeNs: readonly string[];
  /** '10.213.<x>.1', the hub's bridge address: the Endpoint host for the nodes. */
  readonly hubUnderlay: string;
  /** '10.213.<x>.11', … one per node, same order as nodeNs. */
  readonly nodeUnderlay: readonly string[];
  /** '10.214.<x>.1', root-namespace end of the uplink: an HTTP server for the hub listens here. */
  readonly apiHost: string;
  /** '10.214.<x>.2', hub-namespace end of the uplink. */
  readonly hubUplink: string;
  /** 'wge<tag>r', the root-namespace veth. */
  readonly rootLink: string;
  /** A private (0700) scratch folder, removed by destroy(): configs, key files. */
  readonly workDir: string;
  /** A WireGuard interface name for this lab: 'wge' + tag + suffix (at most 15 characters). */
  ifname(suffix: string): string;
  /** `ip netns exec <ns> cmd ...args`: resolves stdout, rejects with a CommandError (stderr). */
  exec(ns: string, cmd: string, args: string[], options?: RunOptions): Promise<string>;
  /** Starts a long-running `ip netns exec <ns> cmd ...args`; destroy() stops it. */
  spawn(ns: string, cmd: string, args: string[], options?: { env?: Record<string, string> }): LabProcess;
  /** Stops every process it started, deletes the namespaces, the root veth, the sockets. Idempotent. */
  destroy(): Promise<void>;
}

interface Recorded {
  pid: number;
  args: string[];
}
interface LabState {
  readonly processes: Set<LabProcess>;
  readonly ifnames: Set<string>;
  /** Live processes by pid, with argv: written to state.json for the next run's cleanup. */
  readonly recorded: Map<number, string[]>;
  /** Saves run one after another (concurrent writeFile calls could interleave). */
  saving: Promise<void>;
  destroyed: boolean;
}

const states = new WeakMap<Lab, LabState>();
const liveLabs = new Set<Lab>();
/** WireGuard interface names in use by this process (all labs). */
const ifnamesInUse = new Set<string>();

// If the worker exits without afterAll, at least do not leave our children running; the
// namespaces are removed by the next createLab() with the same tag.
process.once('exit', () => {
  for (const lab of liveLabs) {
    for (const p of states.get(lab)?.processes ?? []) {
      signal(p.pid, 'SIGKILL');
    }
  }
});

const TAG = /^[a-z0-9]{1,8}$/;
const IFNAME = /^wge[a-zA-Z0-9_=+.-]{1,12}$/;

/** Deterministic 0–255 from the tag. */
export function octetFor(tag: string): number {
  return createHash('sha256').update(tag).digest()[0];
}

function stateFile(tag: string): string {
  return join(LAB_RUN_DIR, tag, 'state.json');
}

function saveState(lab: Lab, state: LabState): Promise<void> {
  state.saving = state.saving
    .then(async () => {
      if (state.destroyed) {
        return;
      }
      const processes: Recorded[] = [...state.recorded].map(([pid, args]) => ({ pid, args }));
      await writeFile(stateFile(lab.tag), JSON.stringify({ ifnames: [...state.ifnames], processes }), { mode: 0o600 });
    })
    .catch(() => undefined);
  return state.saving;
}

/** Same argv, argv[0] compared by basename (guards against a reused pid). */
function sameCommand(cmdline: string[], args: string[]): boolean {
  return (
    cmdline.length === args.length &&
    cmdline.length > 0 &&
    basename(cmdline[0]) === basename(args[0]) &&
    cmdline.every((a, i) => i === 0 || a === args[i])
  );
}

async function readCmdline(pid: number): Promise<string[] | null> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((s) => s.length > 0);
  } catch {
    return null;
  }
}

/** Removes the UAPI socket of one of our interfaces unless a live process still serves it. */
async function removeStaleSocket(ifname: string): Promise<void> {
  if (!IFNAME.test(ifname)) {
    return; // never touch anything that is not ours
  }
  const sock = join(WG_RUN_DIR, `${ifname}.sock`);
  if (!existsSync(sock)) {
    return;
  }
  if (await socketServed(sock)) {
    throw new Error(`${sock} is served by a live process that this lab does not own; pick another interface name`);
  }
  await unlink(sock).catch(() => undefined);
}

function socketServed(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    const done = (served: boolean) => {
      s.destroy();
      resolve(served);
    };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(1_000, () => done(false));
  });
}

async function listNetns(): Promise<string[]> {
  const out = (await tryRun(tool('ip'), ['netns', 'list'])) ?? '';
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0])
    .filter((name) => name.length > 0);
}

/** Kills every process inside a namespace of ours (by pid, from `ip netns pids`). */
async function killNamespacePids(ns: string): Promise<void> {
  const out = (await tryRun(tool('ip'), ['netns', 'pids', ns])) ?? '';
  const pids = out
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number)
    .filter((pid) => pid !== process.pid);
  await Promise.all(pids.map((pid) => terminate(pid, 'SIGKILL', 3_000)));
}

/** WireGuard-ish (tun) links in a namespace, for socket cleanup. */
async function tunLinks(ns: string): Promise<string[]> {
  const out = (await tryRun(tool('ip'), ['-n', ns, '-o', 'link', 'show'])) ?? '';
  return [...out.matchAll(/^\d+:\s+([^:@\s]+)[@:]/gm)].map((m) => m[1]).filter((name) => IFNAME.test(name));
}

/** Removes everything a crashed run with this tag may have left. */
async function cleanLeftovers(tag: string, ours: (ns: string) => boolean, rootLink: string): Promise<void> {
  const ip = tool('ip');
  // 1. processes recorded by the earlier run, if they are still the same processes
  let recordedIfnames: string[] = [];
  try {
    const data = JSON.parse(await readFile(stateFile(tag), 'utf8')) as { ifnames?: string[]; processes?: Recorded[] };
    recordedIfnames = data.ifnames ?? [];
    for (const rec of data.processes ?? []) {
      const cmdline = await readCmdline(rec.pid);
      if (cmdline && sameCommand(cmdline, rec.args)) {
        await terminate(rec.pid, 'SIGKILL', 3_000);
      }
    }
  } catch {
    // no earlier run, or nothing readable
  }
  // 2. namespaces of ours: their processes, their sockets, then the namespace
  for (const ns of (await listNetns()).filter(ours)) {
    const links = await tunLinks(ns);
    await killNamespacePids(ns);
    for (const name of links) {
      await removeStaleSocket(name).catch(() => undefined);
    }
    await tryRun(ip, ['netns', 'del', ns]);
  }
  // Sockets named after this tag that no process serves (an earlier run whose record is gone).
  const named = (await readdir(WG_RUN_DIR).catch(() => [] as string[]))
    .filter((f) => f.startsWith(`wge${tag}`) && f.endsWith('.sock'))
    .map((f) => f.slice(0, -'.sock'.length));
  for (const name of new Set([...recordedIfnames, ...named])) {
    await removeStaleSocket(name).catch(() => undefined);
  }
  // 3. the root-side veth
  await tryRun(ip, ['link', 'del', rootLink]);
  await rm(join(LAB_RUN_DIR, tag), { recursive: true, force: true });
}

/**
 * Builds the lab: namespaces wge-<tag>-hub and wge-<tag>-n1…n<nodeCount>, the hub's bridge br0
 * (10.213.<x>.1/24), one veth per node (eth0 = 10.213.<x>.<10+i>/24 in the node), and the
 * root↔hub uplink (wge<tag>r 10.214.<x>.1/30 in root, uplink 10.214.<x>.2/30 in the hub).
 * tag: 1–8 of [a-z0-9]. Removes the leftovers of an earlier run with the same tag first.
 */
export async function createLab(tag: string, nodeCount: number): Promise<Lab> {
  if (!TAG.test(tag)) {
    throw new Error(`lab tag must be 1–8 characters of [a-z0-9], got ${JSON.stringify(tag)}`);
  }
  if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > 64) {
    throw new Error(`nodeCount must be 1–64, got ${nodeCount}`);
  }
  const ip = tool('ip');
  const x = octetFor(tag);
  const hubNs = `wge-${tag}-hub`;
  const nodeNs = Array.from({ length: nodeCount }, (_, i) => `wge-${tag}-n${i + 1}`);
  const rootLink = `wge${tag}r`;
  const nsPattern = new RegExp(`^wge-${tag}-(hub|n\\d+)$`);

  await cleanLeftovers(tag, (ns) => nsPattern.test(ns), rootLink);

  // Another lab (another tag with the same octet) must not own the uplink subnet.
  const rootAddrs = (await run(ip, ['-o', '-4', 'address', 'show'])).split('\n');
  const clash = rootAddrs.find((line) => line.includes(` 10.214.${x}.`));
  if (clash) {
    throw new Error(
      `10.214.${x}.0/30 is already in use in the root namespace (${clash.trim()}); tag ${tag} collides, pick another tag`,
    );
  }

  const workDir = join(LAB_RUN_DIR, tag);
  await mkdir(LAB_RUN_DIR, { recursive: true, mode: 0o700 });
  await mkdir(workDir, { mode: 0o700 });
  await chmod(workDir, 0o700);

  const state: LabState = {
    processes: new Set(),
    ifnames: new Set(),
    recorded: new Map(),
    saving: Promise.resolve(),
    destroyed: false,
  };
  const namespaces = [hubNs, ...nodeNs];
  let destroying: Promise<void> | null = null;

  const lab: Lab = {
    tag,
    octet: x,
    hubNs,
    nodeNs,
    hubUnderlay: `10.213.${x}.1`,
    nodeUnderlay: nodeNs.map((_, i) => `10.213.${x}.${11 + i}`),
    apiHost: `10.214.${x}.1`,
    hubUplink: `10.214.${x}.2`,
    rootLink,
    workDir,
    ifname(suffix: string): string {
      const name = `wge${tag}${suffix}`;
      if (!IFNAME.test(name)) {
        throw new Error(`interface name ${name} is not valid (at most 15 of [a-zA-Z0-9_=+.-])`);
      }
      // Recorded even when something else brings it up (wg-quick in a node namespace): its
      // wireguard-go, killed with the namespace, leaves its UAPI socket behind, which destroy()
      // and the next run's cleanup remove; a socket left there makes the name look taken.
      if (!state.ifnames.has(name)) {
        state.ifnames.add(name);
        void saveState(lab, state);
      }
      return name;
    },
    exec(ns: string, cmd: string, args: string[], options?: RunOptions): Promise<string> {
      assertOwn(lab, ns);
      return run(ip, ['netns', 'exec', ns, cmd, ...args], options);
    },
    spawn(ns: string, cmd: string, args: string[], options: { env?: Record<string, string> } = {}): LabProcess {
      assertOwn(lab, ns);
      if (state.destroyed) {
        throw new Error(`lab ${tag} is destroyed`);
      }
      const argv = ['netns', 'exec', ns, cmd, ...args];
      const spawned = spawnProcess(ip, argv, {
        inheritEnv: true,
        env: { PATH: CHILD_PATH, LC_ALL: 'C', ...options.env },
        keepChars: 64 * 1024,
      });
      const { child, pid } = spawned;
      const exited = spawned.exited.then(({ code }) => code);
      const proc: LabProcess = {
        child,
        pid,
        ns,
        output: spawned.output,
        exited,
        async stop(sig: NodeJS.Signals = 'SIGTERM') {
          await spawned.stop(sig, 3_000);
          state.processes.delete(proc);
        },
      };
      state.processes.add(proc);
      // `ip netns exec` execs the command, so the pid is the command itself: record its argv
      // for the next run's leftover cleanup (matched against /proc/<pid>/cmdline).
      state.recorded.set(pid, [cmd, ...args]);
      void saveState(lab, state);
      void exited.then(() => {
        state.processes.delete(proc);
        state.recorded.delete(pid);
        void saveState(lab, state);
      });
      return proc;
    },
    destroy(): Promise<void> {
      destroying ??= (async () => {
        state.destroyed = true;
        liveLabs.delete(lab);
        const errors: unknown[] = [];
        await Promise.all([...state.processes].map((p) => p.stop().catch((e: unknown) => errors.push(e))));
        await state.saving;
        for (const ns of namespaces) {
          await killNamespacePids(ns);
        }
        await tryRun(ip, ['link', 'del', rootLink]);
        for (const ns of namespaces) {
          await tryRun(ip, ['netns', 'del', ns]);
        }
        for (const name of state.ifnames) {
          await removeStaleSocket(name).catch((e: unknown) => errors.push(e));
          ifnamesInUse.delete(name);
        }
        await rm(workDir, { recursive: true, force: true });
        const left = await leftovers(lab);
        if (left.length > 0) {
          errors.push(new Error(`still present after teardown: ${left.join(', ')}`));
        }
        if (errors.length > 0) {
          throw new AggregateError(errors, `lab ${tag}: teardown incomplete`);
        }
      })();
      return destroying;
    },
  };
  states.set(lab, state);
  liveLabs.add(lab);

  try {
    for (const ns of namespaces) {
      await run(ip, ['netns', 'add', ns]);
      await run(ip, ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    await run(ip, ['-n', hubNs, 'link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
    await run(ip, ['-n', hubNs, 'address', 'add', `${lab.hubUnderlay}/24`, 'dev', 'br0']);
    await run(ip, ['-n', hubNs, 'link', 'set', 'br0', 'up']);
    for (const [i, ns] of nodeNs.entries()) {
      const port = `vn${i + 1}`;
      await run(ip, ['-n', hubNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      await run(ip, ['-n', hubNs, 'link', 'set', port, 'master', 'br0']);
      await run(ip, ['-n', hubNs, 'link', 'set', port, 'up']);
      await run(ip, ['-n', ns, 'address', 'add', `${lab.nodeUnderlay[i]}/24`, 'dev', 'eth0']);
      await run(ip, ['-n', ns, 'link', 'set', 'eth0', 'up']);
    }
    await run(ip, ['link', 'add', rootLink, 'type', 'veth', 'peer', 'name', 'uplink', 'netns', hubNs]);
    await run(ip, ['address', 'add', `${lab.apiHost}/30`, 'dev', rootLink]);
    await run(ip, ['link', 'set', rootLink, 'up']);
    await run(ip, ['-n', hubNs, 'address', 'add', `${lab.hubUplink}/30`, 'dev', 'uplink']);
    await run(ip, ['-n', hubNs, 'link', 'set', 'uplink', 'up']);
    await saveState(lab, state);
    // `ip netns exec` needs nothing else; fail early here rather than in a test if it cannot run.
    await lab.exec(hubNs, tool('ip'), ['-o', 'link', 'show', 'br0']);
  } catch (error) {
    await lab.destroy().catch(() => undefined);
    throw error;
  }
  return lab;
}

/**
 * What of this lab still exists (namespaces, the root veth, UAPI sockets of its interfaces,
 * its work folder); [] after a clean destroy().
 */
export async function leftovers(lab: Lab): Promise<string[]> {
  const found: string[] = [];
  const namespaces = [lab.hubNs, ...lab.nodeNs];
  found.push(...(await listNetns()).filter((ns) => namespaces.includes(ns)).map((ns) => `netns ${ns}`));
  if ((await tryRun(tool('ip'), ['link', 'show', 'dev', lab.rootLink])) !== null) {
    found.push(`link ${lab.rootLink}`);
  }
  for (const name of states.get(lab)?.ifnames ?? []) {
    if (existsSync(join(WG_RUN_DIR, `${name}.sock`))) {
      found.push(`socket ${name}.sock`);
    }
  }
  if (existsSync(lab.workDir)) {
    found.push(`folder ${lab.workDir}`);
  }
  return found;
}

function assertOwn(lab: Lab, ns: string): void {
  if (ns !== lab.hubNs && !lab.nodeNs.includes(ns)) {
    throw new Error(`${ns} is not a namespace of lab ${lab.tag}`);
  }
}

function stateOf(lab: Lab): LabState {
  const state = states.get(lab);
  if (!state || state.destroyed) {
    throw new Error(`lab ${lab.tag} is destroyed`);
  }
  return state;
}

// ---------------------------------------------------------------------------------------------
// WireGuard interfaces

/**
 * Runs `ip netns exec <ns> wireguard-go -f <ifname>` (WG_PROCESS_FOREGROUND=1), waits until
 * /var/run/wireguard/<ifname>.sock exists and the link is in the namespace. destroy() stops it.
 * ifname must start with 'wge' (see lab.ifname()) and be unused machine-wide.
 */
export async function startWireguardGo(lab: Lab, ns: string, ifname: string): Promise<LabProcess> {
  const state = stateOf(lab);
  assertOwn(lab, ns);
  if (!IFNAME.test(ifname) || ifname === lab.rootLink) {
    throw new Error(
      `WireGuard interface name must match ${IFNAME} (unique machine-wide, see lab.ifname()), got ${ifname}`,
    );
  }
  if (ifnamesInUse.has(ifname)) {
    throw new Error(`interface ${ifname} is already in use by this test process`);
  }
  await removeStaleSocket(ifname);
  ifnamesInUse.add(ifname);
  state.ifnames.add(ifname);
  const proc = lab.spawn(ns, tool('wireguard-go'), ['-f', ifname], { env: { WG_PROCESS_FOREGROUND: '1' } });
  const sock = join(WG_RUN_DIR, `${ifname}.sock`);
  const until = Date.now() + 15_000;
  let exitCode: number | null | undefined;
  void proc.exited.then((code) => (exitCode = code));
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`wireguard-go ${ifname} in ${ns} exited (${exitCode}) before it was ready:\n${proc.output()}`);
    }
    if (existsSync(sock) && (await tryRun(tool('ip'), ['-n', ns, 'link', 'show', 'dev', ifname])) !== null) {
      return proc;
    }
    if (Date.now() > until) {
      await proc.stop();
      throw new Error(`wireguard-go ${ifname} in ${ns}: no ${sock} after 15 s:\n${proc.output()}`);
    }
    await sleep(25);
  }
}

function isIpv6(address: string): boolean {
  return address.includes(':');
}

async function addAddress(lab: Lab, ns: string, ifname: string, cidr: string): Promise<void> {
  assertOwn(lab, ns);
  // wireguard-go's tun is NOARP (no DAD anyway); nodad makes the address usable at once.
  const args = ['-n', ns, 'address', 'add', cidr, 'dev', ifname, ...(isIpv6(cidr) ? ['nodad'] : [])];
  await run(tool('ip'), args);
}

/**
 * The hub's interface: wireguard-go in the hub namespace, each address added ('172.22.2.1/24',
 * 'fd4e:6fb7:b3af::1/64'), link up. Keys and peers are not set (an agent does `wg syncconf`).
 */
export async function hubInterface(lab: Lab, ifname: string, addresses: string[]): Promise<LabProcess> {
  const proc = await startWireguardGo(lab, lab.hubNs, ifname);
  for (const cidr of addresses) {
    await addAddress(lab, lab.hubNs, ifname, cidr);
  }
  await run(tool('ip'), ['-n', lab.hubNs, 'link', 'set', 'dev', ifname, 'up']);
  return proc;
}

/** The [Interface] keys wg-quick handles itself (what `wg-quick strip` removes), as served. */
export interface WgQuickInterface {
  addresses: string[];
  mtu: number | null;
  dns: string[];
  table: string | null;
}

/** Parses the wg-quick-only keys of the [Interface] section the way wg-quick does. */
export function parseWgQuickInterface(confText: string): WgQuickInterface {
  const result: WgQuickInterface = { addresses: [], mtu: null, dns: [], table: null };
  let inInterface = false;
  for (const line of confText.split(/\r?\n/)) {
    const stripped = line.split('#')[0];
    const eq = stripped.indexOf('=');
    const key = (eq >= 0 ? stripped.slice(0, eq) : stripped).trim().toLowerCase();
    const value = eq >= 0 ? stripped.slice(eq + 1).trim() : '';
    if (key.startsWith('[')) {
      inInterface = key === '[interface]';
      continue;
    }
    if (!inInterface) {
      continue;
    }
    const list = value.split(/[\s,]+/).filter(Boolean);
    switch (key) {
      case 'address':
        result.addresses.push(...list);
        break;
      case 'mtu':
        result.mtu = Number(value);
        break;
      case 'dns':
        result.dns.push(...list);
        break;
      case 'table':
        result.table = value;
        break;
      default:
        break;
    }
  }
  return result;
}

/**
 * Brings a node up from a served wg-quick config exactly as served: wireguard-go for ifname,
 * `wg-quick strip <workDir>/<ifname>.conf` (0600) → `wg setconf`, every Address added, MTU set
 * if given, link up, then (as wg-quick does, unless Table = off) a route for each peer's
 * AllowedIPs not already routed via the interface. DNS is ignored. Returns the wireguard-go process.
 */
export async function bringUpNode(lab: Lab, ns: string, ifname: string, confText: string): Promise<LabProcess> {
  const ip = tool('ip');
  const proc = await startWireguardGo(lab, ns, ifname);
  const file = join(lab.workDir, `${ifname}.conf`);
  await writeFile(file, confText, { mode: 0o600 });
  await chmod(file, 0o600);
  const stripped = await run(tool('wg-quick'), ['strip', file]);
  const strippedFile = join(lab.workDir, `${ifname}.stripped`);
  await writeFile(strippedFile, stripped, { mode: 0o600 });
  await chmod(strippedFile, 0o600);
  await lab.exec(ns, tool('wg'), ['setconf', ifname, strippedFile]);
  const iface = parseWgQuickInterface(confText);
  for (const cidr of iface.addresses) {
    await addAddress(lab, ns, ifname, cidr);
  }
  if (iface.mtu !== null) {
    await run(ip, ['-n', ns, 'link', 'set', 'dev', ifname, 'mtu', String(iface.mtu)]);
  }
  await run(ip, ['-n', ns, 'link', 'set', 'dev', ifname, 'up']);
  if (iface.table === null || iface.table.toLowerCase() !== 'off') {
    const dump = await wgDump(lab, ns, ifname);
    for (const cidr of dump.peers.flatMap((p) => p.allowedIps)) {
      const family = isIpv6(cidr) ? '-6' : '-4';
      const existing = await run(ip, ['-n', ns, family, 'route', 'show', 'dev', ifname, 'match', cidr]);
      if (existing.trim() === '') {
        await run(ip, ['-n', ns, family, 'route', 'add', cidr, 'dev', ifname]);
      }
    }
  }
  return proc;
}

// ---------------------------------------------------------------------------------------------
// Observing

export interface PingResult {
  transmitted: number;
  received: number;
}

function parsePingSummary(output: string): PingResult | null {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(output);
  return m ? { transmitted: Number(m[1]), received: Number(m[2]) } : null;
}

function pingArgs(address: string, extra: string[]): string[] {
  return [...(isIpv6(address) ? ['-6'] : ['-4']), '-n', ...extra, address];
}

export interface PingOptions {
  /** Probes to send (default 3). */
  count?: number;
  /** Seconds between probes (default 0.2). */
  intervalS?: number;
  /** Seconds to wait for each reply (ping -W, default 2). */
  timeoutS?: number;
  /**
   * Overall deadline (ping -w): then ping keeps probing until `count` replies arrived or the
   * deadline passed, so transmitted may exceed count. Use for "wait until the tunnel works".
   */
  deadlineS?: number;
}

/** `ping` from inside ns; never rejects for lost packets, only when ping cannot run. */
export async function ping(lab: Lab, ns: string, address: string, options: PingOptions = {}): Promise<PingResult> {
  const { count = 3, intervalS = 0.2, timeoutS = 2, deadlineS } = options;
  const extra = ['-c', String(count), '-i', String(intervalS), '-W', String(timeoutS)];
  if (deadlineS !== undefined) {
    extra.push('-w', String(deadlineS));
  }
  const proc = lab.spawn(ns, tool('ping'), pingArgs(address, extra));
  const limitMs = ((deadlineS ?? count * intervalS + timeoutS) + 5) * 1_000;
  const timer = setTimeout(() => proc.child.kill('SIGINT'), limitMs);
  await proc.exited;
  clearTimeout(timer);
  const result = parsePingSummary(proc.output());
  if (!result) {
    throw new Error(`ping ${address} from ${ns} gave no summary:\n${proc.output()}`);
  }
  return result;
}

/** One line of a continuous ping: a reply, or (-O) a probe still unanswered when the next one left. */
export interface PingEvent {
  /** Date.now() when this process read the line. */
  readonly at: number;
  readonly seq: number;
  readonly reply: boolean;
}

export interface ContinuousPing {
  readonly process: LabProcess;
  /** Every reply and every "no answer yet" so far, in the order read. */
  events(): PingEvent[];
  /**
   * SIGINT between two probes, then the summary of everything sent: it waits for the next reply
   * (at most 3 s) and stops right after it, so no probe is in flight and an unanswered probe
   * always means a lost one.
   */
  stop(): Promise<PingResult>;
}

/** `ping -i <intervalS> -O` from inside ns until stop(); destroy() also stops it. */
export function continuousPing(lab: Lab, ns: string, address: string, intervalS = 0.2): ContinuousPing {
  const proc = lab.spawn(ns, tool('ping'), pingArgs(address, ['-O', '-i', String(intervalS)]));
  const events: PingEvent[] = [];
  let onReply: (() => void) | null = null;
  let partial = '';
  proc.child.stdout?.on('data', (chunk: Buffer) => {
    const at = Date.now();
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const reply = /bytes from .*icmp_seq=(\d+)/.exec(line);
      const missing = /no answer yet for icmp_seq=(\d+)/.exec(line);
      if (reply) {
        events.push({ at, seq: Number(reply[1]), reply: true });
        onReply?.();
      } else if (missing) {
        events.push({ at, seq: Number(missing[1]), reply: false });
      }
    }
  });
  return {
    process: proc,
    events: () => [...events],
    async stop() {
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 3_000);
          onReply = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      await proc.stop('SIGINT');
      const result = parsePingSummary(proc.output());
      if (!result) {
        throw new Error(`continuous ping ${address} from ${ns} gave no summary:\n${proc.output()}`);
      }
      return result;
    },
  };
}

/**
 * `wg show <ifname> dump`, parsed by the service's own parser (src/domain/wg/dump.ts): the
 * interface's public key and listen port; per peer its key, endpoint, allowed IPs, latest
 * handshake and byte counters. For what it leaves out (preshared keys, keepalive, fwmark) ask
 * `wg show <ifname> <field>` directly.
 */
export type { WgDump, WgPeerDump } from '../../../src/domain/wg/dump';

/** `wg show <ifname> dump` inside ns, parsed. */
export async function wgDump(lab: Lab, ns: string, ifname: string): Promise<WgDump> {
  return parseWgDump(await lab.exec(ns, tool('wg'), ['show', ifname, 'dump']));
}

/** Peer public key → latest handshake (unix seconds, 0 = never). */
export async function latestHandshakes(lab: Lab, ns: string, ifname: string): Promise<Map<string, number>> {
  const dump = await wgDump(lab, ns, ifname);
  return new Map(dump.peers.map((p) => [p.publicKey, p.latestHandshake]));
}
