import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rememberSecret } from '../support/app';
import { runCli } from '../support/process';
import { buildDist } from '../support/replica';

/**
 * The environment seeds the default network on its first start only. The real command, started
 * again on the same data folder with other values, says per variable what is stored, what the
 * environment says and how to change it; following the hint silences that line.
 */
let dataDir: string;

beforeAll(() => {
  buildDist();
  // A folder of its own under the temp root: Postgres (as the OS user postgres under root)
  // must pass through every folder above DATA_DIR.
  dataDir = mkdtempSync(join(tmpdir(), 'wg-enroll-drift-'));
}, 120_000);
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

interface Line {
  level: string;
  msg: string;
}

/** Starts `wg-enroll serve` on the data folder, runs `whileUp` against it, stops it; its log lines. */
async function start(env: Record<string, string>, whileUp?: (url: string) => Promise<void>): Promise<Line[]> {
  const p = runCli(['serve'], { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info', ...env });
  const url = await p.url;
  await whileUp?.(url);
  p.child.kill('SIGTERM');
  expect(await p.exited, p.output()).toBe(0);
  return p
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
}

const drift = (lines: Line[]) =>
  lines.filter((l) => l.level === 'warn' && / differs from the stored default network /.test(l.msg));

describe('a later start with other WG_* settings', () => {
  it('warns once per differing variable with stored and environment values and the way to change it', async () => {
    const first = await start({});
    expect(drift(first)).toEqual([]);
    expect(first.some((l) => l.msg === 'default network created')).toBe(true);

    const env = { WG_ENDPOINT: 'vpn.example.org:51820', WG_IPV4_CIDR: '10.80.0.0/24', WG_MTU: '1380' };
    const second = await start(env, async (url) => {
      // What the endpoint line says to do, done: a PATCH with the admin token.
      const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
      rememberSecret(token);
      const res = await fetch(`${url}/v1/networks/default`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ endpoint: 'vpn.example.org:51820', mtu: 1380 }),
      });
      expect(res.status).toBe(200);
    });
    const lines = drift(second).map((l) => l.msg);
    expect(lines).toHaveLength(3);
    const [ipv4, endpoint, mtu] = lines;
    expect(ipv4).toMatch(/^WG_IPV4_CIDR \(10\.80\.0\.0\/24\) differs .*"default" \(ipv4Cidr 172\.22\.2\.0\/24\)/);
    expect(ipv4).toMatch(/Address ranges cannot be changed/);
    expect(endpoint).toMatch(/^WG_ENDPOINT \(vpn\.example\.org:51820\) differs .*\(endpoint 127\.0\.0\.1:51820\)/);
    expect(endpoint).toMatch(
      /curl -X PATCH .*-d '\{"endpoint":"vpn\.example\.org:51820"\}' http:\/\/127\.0\.0\.1:\d+\/v1\/networks\/default/,
    );
    expect(mtu).toMatch(/^WG_MTU \(1380\) differs .*\(mtu \(none\)\).*'\{"mtu":1380\}'/);
    // Only lines: the JSON lines of a non-terminal, nothing printed around them.
    expect(second.filter((l) => l.level === 'warn').length).toBeGreaterThanOrEqual(3);

    // The PATCH took the endpoint and MTU over: only the range still disagrees.
    const third = await start(env);
    expect(drift(third).map((l) => l.msg.split(' ')[0])).toEqual(['WG_IPV4_CIDR']);
  }, 180_000);
});
