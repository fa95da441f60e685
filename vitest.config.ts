import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Examples import the package by name, as a user would; tests run them against the source.
    alias: [
      { find: /^switchyard-rpc$/, replacement: source('./src/index.ts') },
      { find: /^switchyard-rpc\/beacon$/, replacement: source('./adapters/beacon/index.ts') },
      { find: /^switchyard-rpc\/redis$/, replacement: source('./adapters/redis/index.ts') },
      { find: /^switchyard-rpc\/soroban$/, replacement: source('./adapters/soroban/index.ts') },
      { find: /^switchyard-rpc\/testing$/, replacement: source('./testing/index.ts') },
      { find: /^switchyard-rpc\/testing\/beacon$/, replacement: source('./testing/beacon.ts') },
      { find: /^switchyard-rpc\/testing\/viem$/, replacement: source('./testing/viem.ts') },
      { find: /^switchyard-rpc\/viem$/, replacement: source('./adapters/viem/index.ts') },
    ],
  },
  test: {
    include: [
      'src/**/*.test.ts',
      'adapters/**/*.test.ts',
      'cli/**/*.test.ts',
      'test/**/*.test.ts',
      'examples/**/*.test.ts',
    ],
    setupFiles: ['reflect-metadata'],
    globalSetup: ['test/globalSetup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
