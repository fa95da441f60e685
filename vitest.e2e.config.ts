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
    // Real processes start in seconds, and a sentinel failover takes about two.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
