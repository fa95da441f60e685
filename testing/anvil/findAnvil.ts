import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The npm package that brings anvil (a dev dependency of this project): it installs the binary of this platform. */
export const ANVIL_PACKAGE = '@foundry-rs/anvil';

/** The package of `@foundry-rs/anvil` that holds the binary for this platform. */
const PLATFORM_PACKAGES: Record<string, string> = {
  'linux-x64': '@foundry-rs/anvil-linux-amd64',
  'linux-arm64': '@foundry-rs/anvil-linux-arm64',
  'darwin-x64': '@foundry-rs/anvil-darwin-amd64',
  'darwin-arm64': '@foundry-rs/anvil-darwin-arm64',
  'win32-x64': '@foundry-rs/anvil-win32-amd64',
};

/** Where anvil is, or why it cannot be used here (printed by the suites that skip). */
export type AnvilLookup = { found: true; binary: string } | { found: false; reason: string };

/**
 * Finds the anvil binary: `$ANVIL` when set, else the one {@link ANVIL_PACKAGE} installed for this
 * platform. The binary itself, not the package's JavaScript launcher: a fault sent to the process
 * (SIGSTOP, SIGKILL) must reach anvil.
 *
 * @example
 * const anvil = findAnvil();
 * describe.skipIf(!anvil.found)('on real anvil nodes', () => { ... });
 */
export function findAnvil(env: NodeJS.ProcessEnv = process.env): AnvilLookup {
  if (env.ANVIL) {
    return existsSync(env.ANVIL)
      ? { found: true, binary: env.ANVIL }
      : { found: false, reason: `ANVIL=${env.ANVIL} does not exist` };
  }
  const platform = `${process.platform}-${process.arch}`;
  const name = PLATFORM_PACKAGES[platform];
  if (!name)
    return {
      found: false,
      reason: `${ANVIL_PACKAGE} has no anvil for ${platform}; set ANVIL=/path/to/anvil`,
    };
  const packageJson =
    resolveFrom(import.meta.url, name) ?? resolveFrom(resolveFrom(import.meta.url, ANVIL_PACKAGE), name);
  if (!packageJson)
    return { found: false, reason: `${ANVIL_PACKAGE} is not installed (npm install -D ${ANVIL_PACKAGE})` };
  const binary = join(dirname(packageJson), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
  return existsSync(binary) ? { found: true, binary } : { found: false, reason: `${binary} is missing` };
}

/** The path of `name`'s package.json as seen from `from`, if it is installed there. */
function resolveFrom(from: string | undefined, name: string): string | undefined {
  if (!from) return undefined;
  try {
    return createRequire(from).resolve(`${name}/package.json`);
  } catch {
    return undefined;
  }
}
