import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

type Exports = Record<string, string | Record<string, string | Record<string, string>>>;

/**
 * SWITCHYARD_STELLAR_SDK / SWITCHYARD_VIEM=<dir of an installed @stellar/stellar-sdk / viem> (set by
 * scripts/test-matrix.mjs) makes every import of that package and its subpaths (adapter, simulator,
 * tests) load that copy instead of node_modules', so the suites run against another version of the
 * peer. Subpaths go through its exports map.
 */
function packageAliases(name: string, dir: string | undefined) {
  if (!dir) return [];
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports?: Exports;
    main?: string;
  };
  return Object.entries(pkg.exports ?? { '.': pkg.main ?? 'index.js' }).flatMap(([subpath, target]) => {
    const entry = typeof target === 'string' ? target : (target.import ?? target.default);
    if (typeof entry !== 'string' || subpath.includes('*')) return [];
    const specifier = `${name}${subpath.slice(1)}`.replace(/[/.]/g, (c) => `\\${c}`);
    return [{ find: new RegExp(`^${specifier}$`), replacement: join(dir, entry) }];
  });
}

export default defineConfig({
  resolve: {
    // Examples import the package by name, as a user would; tests run them against the source.
    alias: [
      { find: /^switchyard-rpc$/, replacement: source('./src/index.ts') },
      { find: /^switchyard-rpc\/adapter$/, replacement: source('./src/adapter.ts') },
      { find: /^switchyard-rpc\/beacon$/, replacement: source('./adapters/beacon/index.ts') },
      { find: /^switchyard-rpc\/dashboard$/, replacement: source('./adapters/dashboard/index.ts') },
      { find: /^switchyard-rpc\/otel$/, replacement: source('./adapters/otel/index.ts') },
      { find: /^switchyard-rpc\/prometheus$/, replacement: source('./adapters/prometheus/index.ts') },
      { find: /^switchyard-rpc\/redis$/, replacement: source('./adapters/redis/index.ts') },
      { find: /^switchyard-rpc\/soroban$/, replacement: source('./adapters/soroban/index.ts') },
      { find: /^switchyard-rpc\/testing$/, replacement: source('./testing/index.ts') },
      { find: /^switchyard-rpc\/testing\/beacon$/, replacement: source('./testing/beacon.ts') },
      { find: /^switchyard-rpc\/testing\/viem$/, replacement: source('./testing/viem.ts') },
      { find: /^switchyard-rpc\/viem$/, replacement: source('./adapters/viem/index.ts') },
      ...packageAliases('@stellar/stellar-sdk', process.env.SWITCHYARD_STELLAR_SDK),
      ...packageAliases('viem', process.env.SWITCHYARD_VIEM),
    ],
  },
  test: {
    include: [
      'src/**/*.test.ts',
      'adapters/**/*.test.ts',
      'cli/**/*.test.ts',
      'test/**/*.test.ts',
      'testing/**/*.test.ts',
      'examples/**/*.test.ts',
    ],
    // Real node software (anvil, Redis with replicas): `npm run test:e2e`, vitest.e2e.config.ts.
    exclude: [...configDefaults.exclude, 'test/e2e/**'],
    setupFiles: ['reflect-metadata'],
    globalSetup: ['test/globalSetup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
