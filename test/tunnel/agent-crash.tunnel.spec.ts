import { execFile } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rememberSecretsIn } from '../support/app';
import {
  bringUpNode,
  continuousPing,
  ping,
  startWireguardGo,
  whyUnavailable,
  type ContinuousPing,
} from './support/netns';
import { sleep, Stack, waitFor, type Enrolled } from './support/service';

// 4. The agent killed with SIGKILL at random moments while 50 changes land (enrollments, inline
//    and by claim link, revokes, reissues): the hub file on disk is always whole (wg-quick strip
//    and wg setconf take it, every peer section is complete), nothing but the file, the key and
//    temporaries is ever left in the config folder, and a restarted agent converges.

const execFileAsync = promisify(execFile);
const reason = whyUnavailable();
if (reason !== null && process.env.CI) {
  throw new Error(`tunnel tests must run in CI, but the lab is unavailable: ${reason}`);
}

const NETWORK = { name: 'crash', ipv4Cidr: '172.29.20.0/24', ipv6Cidr: 'fd29:20::/64', persistentKeepalive: 25 };
const CHANGES = 50;
const MIN_KILLS = 12;
const KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

const measured: Record<string, unknown> = {};

describe.skipIf(reason !== null)(
  `hub agent killed at random moments (SIGKILL) on real tunnels${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let stack: Stack;
    let hubV4: string;
    let checkIf: string;
    let pinger: ContinuousPing | null = null;

    beforeAll(async () => {
      stack = await Stack.start('ac', 2, NETWORK);
      hubV4 = stack.hubAddresses[0].split('/')[0];
      // A scratch interface (in node 2's namespace, where port 51820 is free) on which every hub
      // file found after a kill must load with `wg setconf`: wg's own parser is the judge.
      checkIf = stack.lab.ifname('chk');
      await startWireguardGo(stack.lab, stack.lab.nodeNs[1], checkIf);
    });

    afterAll(async () => {
      await pinger?.process.stop().catch(() => undefined);
      await stack?.destroy();
      // eslint-disable-next-line no-console
      console.log(`agent-crash measurements: ${JSON.stringify(measured, null, 2)}`);
    });

    /** The hub file must be whole and the folder must hold nothing unexpected; returns the file's revision. */
    async function checkHubFiles(): Promise<{ revision: number; temporaries: number }> {
      const names = await readdir(stack.configDir);
      const temporaries = names.filter((n) => /^\..+\.tmp$/.test(n));
      const stray = names.filter(
        (n) => n !== `${stack.hubIf}.conf` && n !== `${stack.hubIf}.key` && !temporaries.includes(n),
      );
      expect(stray, 'stray files in the agent config folder').toEqual([]);
      const file = stack.hubConfigFile;
      expect(((await stat(file)).mode & 0o777).toString(8)).toBe('600');
      const text = await readFile(file, 'utf8');
      rememberSecretsIn(text);

      // wg-quick accepts it …
      const stripped = (await execFileAsync('wg-quick', ['strip', file])).stdout;
      // … wg loads it …
      const strippedFile = join(stack.lab.workDir, `${checkIf}.stripped`);
      await writeFile(strippedFile, stripped, { mode: 0o600 });
      await stack.lab.exec(stack.lab.nodeNs[1], 'wg', ['setconf', checkIf, strippedFile]);

      // … and it is whole: the header with its revision, the interface, then complete peers.
      expect(text.endsWith('\n')).toBe(true);
      const lines = text.split('\n');
      const header = /^# Written by the wg-enroll hub agent for network "crash", revision (\d+)\.$/.exec(lines[0]);
      expect(header, lines[0]).not.toBeNull();
      const sections = text.split(/\n(?=(?:# [^\n]*\n)?\[)/);
      const iface = sections.find((s) => s.includes('[Interface]'))!;
      expect(iface).toMatch(/\nPrivateKey = \S+\nAddress = 172\.29\.20\.1\/24, fd29:20::1\/64\nListenPort = 51820\n/);
      const peers = sections.filter((s) => s.includes('[Peer]'));
      for (const peer of peers) {
        const m =
          /^(?:# [^\n]*\n)?\[Peer\]\nPublicKey = (\S+)\nPresharedKey = (\S+)\nAllowedIPs = 172\.29\.20\.(\d+)\/32, fd29:20::([0-9a-f]+)\/128\n?$/.exec(
            peer,
          );
        expect(m, `incomplete peer section:\n${peer}`).not.toBeNull();
        expect(m![1]).toMatch(KEY);
        expect(m![2]).toMatch(KEY);
      }
      // wg holds exactly the file's peers.
      const loaded = (await stack.lab.exec(stack.lab.nodeNs[1], 'wg', ['show', checkIf, 'peers']))
        .split('\n')
        .filter(Boolean);
      expect(loaded.length).toBe(peers.length);
      return { revision: Number(header![1]), temporaries: temporaries.length };
    }

    it('4. SIGKILL at random moments during 50 rapid changes never leaves a bad hub file, and a restarted agent converges', async () => {
      await stack.waitConverged(10_000);
      // A node on the hub all along: killing the agent never takes the interface down.
      const node = await stack.enroll('node-1');
      await stack.waitConverged(10_000);
      await bringUpNode(stack.lab, stack.lab.nodeNs[0], stack.lab.ifname('n1'), node.config.text);
      expect(await ping(stack.lab, stack.lab.nodeNs[0], hubV4, { count: 3, deadlineS: 10 })).toMatchObject({
        received: 3,
      });
      const handshakeOf = async () =>
        (await stack.hubDump()).peers.find((p) => p.publicKey === node.peer.publicKey)!.latestHandshake;
      const handshake = await handshakeOf();
      pinger = continuousPing(stack.lab, stack.lab.nodeNs[0], hubV4, 0.1);

      const active: Enrolled[] = [];
      let enrolls = 0;
      let revokes = 0;
      let reissues = 0;
      let changesDone = false;
      const changes = (async () => {
        try {
          for (let i = 0; i < CHANGES; i++) {
            const dice = Math.random();
            if (active.length > 3 && dice < 0.25) {
              const [victim] = active.splice(Math.floor(Math.random() * active.length), 1);
              await stack.revoke(victim.peer.id);
              revokes++;
            } else if (active.length > 3 && dice < 0.45) {
              // New keys: the old key leaves the hub, the new one joins, in one change.
              const at = Math.floor(Math.random() * active.length);
              active[at] = await stack.reissue(active[at].peer.id);
              reissues++;
            } else {
              active.push(i % 2 === 0 ? await stack.enroll(`churn-${i}`) : await stack.enrollByLink(`churn-${i}`));
              enrolls++;
            }
            await sleep(100 + Math.random() * 300);
          }
        } finally {
          changesDone = true;
        }
      })();

      const kills: { lifeMs: number; revision: number; temporaries: number; phase: string }[] = [];
      // The agent that Stack.start() ran is the first one killed.
      let agent = stack.agent!;
      let startedAt = Date.now() - 1_000;
      while (!changesDone || kills.length < MIN_KILLS) {
        // Some kills during start-up, most while it polls, writes and applies.
        let phase = 'running';
        if (kills.length % 4 === 3) {
          phase = 'starting';
          await sleep(Math.random() * 900);
        } else {
          await waitFor('the agent to register', () => agent.output().includes('hub key registered'), 15_000, 10);
          await sleep(Math.random() * 700);
        }
        agent.child.kill('SIGKILL');
        await agent.exited;
        const checked = await checkHubFiles();
        kills.push({ lifeMs: Date.now() - startedAt, phase, ...checked });
        startedAt = Date.now();
        agent = stack.startAgent();
      }
      await changes;
      // Every change is in; one last kill (it may land in the apply of the last changes) and a
      // restart, from which convergence is timed.
      await waitFor('the agent to register', () => agent.output().includes('hub key registered'), 15_000, 10);
      await sleep(Math.random() * 300);
      agent.child.kill('SIGKILL');
      await agent.exited;
      kills.push({ lifeMs: Date.now() - startedAt, phase: 'last', ...(await checkHubFiles()) });
      const restartedAt = Date.now();
      stack.startAgent();
      const converged = await stack.waitConverged(30_000);
      const convergedMs = Date.now() - restartedAt;
      const final = await checkHubFiles();
      // The restarted agent removed what the killed ones left, and left nothing itself.
      await sleep(1_500);
      const leftover = (await readdir(stack.configDir)).filter((n) => n.endsWith('.tmp'));
      const events = pinger.events();
      const result = await pinger.stop();
      pinger = null;
      const lostSeqs = events
        .filter((e) => !e.reply && !events.some((r) => r.reply && r.seq === e.seq))
        .map((e) => e.seq);

      const revisions = new Set(kills.map((k) => k.revision));
      measured.kills = kills.length;
      measured.changes = { enrolls, revokes, reissues };
      measured.distinctRevisionsOnDiskAtKills = revisions.size;
      measured.killsThatLeftTemporaries = kills.filter((k) => k.temporaries > 0).length;
      measured.convergedAfterLastRestartMs = convergedMs;
      measured.final = { revision: converged.revision, peers: converged.peers };
      measured.nodePing = { ...result, lostSeqs };

      expect(enrolls + revokes + reissues).toBe(CHANGES);
      expect(kills.length).toBeGreaterThanOrEqual(MIN_KILLS);
      // The kills did land while the agent was rewriting the file, not only before its first write.
      expect(revisions.size).toBeGreaterThanOrEqual(5);
      expect(String(final.revision)).toBe(converged.revision);
      const desired = new Set((await stack.desiredState()).peers.map((p) => p.publicKey));
      expect(await stack.hubKeys()).toEqual(desired);
      expect(desired).toEqual(new Set([node.peer.publicKey, ...active.map((e) => e.peer.publicKey)]));
      expect((await stack.status()).hub.inSync).toBe(true);
      expect(leftover).toEqual([]);
      // The node's tunnel stayed up all along: the same session (no re-handshake, so its peer was
      // never re-created) and not one probe lost (applies are deltas that never rebind the socket).
      expect(await handshakeOf()).toBe(handshake);
      expect(result.transmitted).toBeGreaterThan(50);
      expect(lostSeqs).toEqual([]);
    });
  },
);
