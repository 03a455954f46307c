import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

// Integration tests start real Postgres clusters and worker threads, and the machine has 2 cores: test files
// run in at most 2 forked processes (forks, not threads: the code under test spawns worker_threads itself).
// Tiers are in the file names: *.unit.spec.ts, *.int.spec.ts, *.e2e.spec.ts.
// The dashboard's component and load-function tests (web/src/**/*.unit.spec.ts) are the `web` project:
// compiled by the Svelte plugin, Svelte's browser build, in jsdom. Its browser end-to-end tests
// (test/web/*.e2e.spec.ts) are in `e2e`, which builds the dashboard first when web/src is newer.
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
      { extends: true, test: { name: 'e2e', include: ['test/**/*.e2e.spec.ts'], globalSetup: ['test/web/build-once.ts'] } },
      {
        extends: true,
        plugins: [svelte({ configFile: false }), svelteTesting()],
        resolve: { conditions: ['browser'] },
        test: { name: 'web', include: ['web/src/**/*.unit.spec.ts'], environment: 'jsdom', globalSetup: ['test/web/kit-sync.ts'] },
      },
    ],
  },
});
