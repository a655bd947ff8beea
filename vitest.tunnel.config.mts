import { defineConfig } from 'vitest/config';

// `npm run test:tunnel`: proofs on real WireGuard tunnels (wireguard-go in network namespaces),
// as root. One file at a time: each builds its own namespaces and processes. Then the log scan.
export default defineConfig({
  test: {
    // One worker at the root (not fileParallelism per project, which keeps the log scan from
    // seeing this run's artifacts folder).
    maxWorkers: 1,
    projects: [
      {
        test: {
          name: 'tunnel',
          include: ['test/tunnel/**/*.spec.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'log-scan',
          include: ['test/logs/**/*.spec.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
