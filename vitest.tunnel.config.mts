import { defineConfig } from 'vitest/config';

// `npm run test:tunnel`: proofs on real WireGuard tunnels (wireguard-go in network namespaces),
// as root. One file at a time: each builds its own namespaces and processes. Then the log scan.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'tunnel',
          include: ['test/tunnel/**/*.spec.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          fileParallelism: false,
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
