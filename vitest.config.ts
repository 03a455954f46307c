import { defineConfig } from 'vitest/config';

// Integration tests start real Postgres clusters and worker threads, and the machine has 2 cores: test files
// run in at most 2 forked processes (forks, not threads: the code under test spawns worker_threads itself).
// Tiers are in the file names: *.unit.spec.ts, *.int.spec.ts, *.e2e.spec.ts.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.unit.spec.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/**/*.int.spec.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/**/*.e2e.spec.ts'] } },
    ],
  },
});
