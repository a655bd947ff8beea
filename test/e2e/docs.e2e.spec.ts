import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_ENV_VARIABLES } from '../../src/agent/agent.cli';
import { ENV_VARIABLES } from '../../src/config/env';
import { rememberSecretsIn, startTestApp, type TestApp } from '../support/app';
import { ROOT } from '../support/paths';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    t = await startTestApp();
    dir = mkdtempSync(join(tmpdir(), 'wg-enroll-readme-'));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts with the two commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });

  it('runs its curl walk-through as written against the real service', async () => {
    const block = /<!-- walkthrough:start -->\s*```sh\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(readme);
    expect(block).not.toBeNull();
    // Asynchronously: the service under test answers from this same process.
    const { stdout: out } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', block![1]], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', BASE: t.url, ADMIN_TOKEN: t.adminToken },
      encoding: 'utf8',
      timeout: 60_000,
    });
    rememberSecretsIn(out);
    for (const file of ['sim.conf', 'laptop.conf']) {
      expect(existsSync(join(dir, file))).toBe(true);
      expect(statSync(join(dir, file)).mode & 0o777, file).toBe(0o600);
      const text = readFileSync(join(dir, file), 'utf8');
      rememberSecretsIn(text);
      expect(text).toMatch(/^\[Interface\]\nPrivateKey = /);
    }
    expect(out).toMatch(/^410$/m);
    expect(out).toContain('"name":"sim"');
    expect(out).toContain('"action":"peer.config-served"');
  });
});

describe('OpenAPI', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('serves the committed contract at /openapi.json and Swagger UI at /docs', async () => {
    const committed = JSON.parse(readFileSync(join(ROOT, 'openapi', 'openapi.json'), 'utf8'));
    const served = await t.http.get('/openapi.json').expect(200);
    expect(Object.keys(served.body.paths).sort()).toEqual(Object.keys(committed.paths).sort());
    expect(JSON.stringify(served.body.paths)).toHaveLength(JSON.stringify(committed.paths).length);
    const docs = await t.http.get('/docs').redirects(1);
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger');
  });

  it('documents a success and the problem responses of every operation', () => {
    const committed = JSON.parse(readFileSync(join(ROOT, 'openapi', 'openapi.json'), 'utf8'));
    for (const [path, operations] of Object.entries<
      Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>
    >(committed.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const codes = Object.keys(op.responses);
        expect(
          codes.some((c) => c.startsWith('2')),
          `${method} ${path}`,
        ).toBe(true);
        if (path !== '/healthz') {
          // Liveness answers 200 whenever the process answers at all.
          expect(
            codes.some((c) => c.startsWith('4') || c.startsWith('5')),
            `${method} ${path}`,
          ).toBe(true);
        }
        for (const code of codes.filter((c) => Number(c) >= 400)) {
          expect(Object.keys(op.responses[code].content ?? {}), `${method} ${path} ${code}`).toEqual([
            'application/problem+json',
          ]);
        }
      }
    }
  });
});

describe('.env.example', () => {
  const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
  it.each([...ENV_VARIABLES, ...AGENT_ENV_VARIABLES].map((v) => [v]))('documents %s', (variable) => {
    expect(example).toMatch(new RegExp(`^${variable}=`, 'm'));
  });
});
