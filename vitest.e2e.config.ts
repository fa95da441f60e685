import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:e2e`: the suites against real node software (anvil nodes, Redis with replicas and
 * sentinels, a Redis Cluster), each started by its test as child processes and always reaped.
 * Everything else as in vitest.config.ts (a merge would append to its `include`, so fields are replaced).
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/e2e/**/*.test.ts'],
    exclude: [...configDefaults.exclude],
    // One file at a time: the suites count the anvil, redis-server and browser processes of the whole
    // machine (none may be left behind), and a headless Chromium beside a sentinel failover or an
    // anvil restart on 2 cores makes their timings a matter of luck.
    fileParallelism: false,
    // Real processes start in seconds, and a sentinel failover takes about two.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
