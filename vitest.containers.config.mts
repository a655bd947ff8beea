import { defineConfig } from 'vitest/config';

// `npm run test:containers`: the project's images built with podman and docker/compose.yml's
// services run from them (test/containers), as root, after scripts/containers/make-bases.sh.
// Not part of `npm test`. One file, its tests in order (each builds on the previous one).
export default defineConfig({
  test: {
    include: ['test/containers/**/*.proof.ts'],
    maxWorkers: 1,
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
