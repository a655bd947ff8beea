import { defineConfig } from 'vitest/config';

// `npm run test:tunnel` (vitest.tunnel.config.mts) runs the proofs on real WireGuard tunnels.
// Three groups: the unit tier (pure specs and service specs against in-memory repositories,
// beside the code in src/; no Postgres, no page build: `npm run test:unit`), the suite
// (end-to-end specs on real Postgres under test/), then the log scan, which reads every log
// line the suite wrote and fails on any secret the suite was issued (invariant 7).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.spec.ts'],
          testTimeout: 60_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'suite',
          include: ['test/**/*.spec.ts'],
          exclude: ['test/logs/**', 'test/meta/fixtures/**', 'test/tunnel/**', 'node_modules/**'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'log-scan',
          include: ['test/logs/**/*.spec.ts'],
          sequence: { groupOrder: 1 },
          // This run has the browser specs, among them the sign-in one that issues session ids
          // (the tunnel run's scan has none).
          env: { LOG_SCAN_SIGN_IN_RAN: 'true' },
        },
      },
    ],
  },
});
