import { defineConfig } from 'vitest/config';

// Integration tests start real Postgres clusters and worker threads, and the machine has 2 cores: test files
// run in at most 2 forked processes (forks, not threads: the code under test spawns worker_threads itself).
export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // `npm run test:unit` runs `--project unit`: everything but the *.int.spec.ts integration suites.
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.spec.ts'], exclude: ['test/**/*.int.spec.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/**/*.int.spec.ts'] } },
    ],
  },
});
