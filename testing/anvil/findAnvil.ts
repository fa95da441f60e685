import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The npm package that ships the anvil binary for linux-x64 (an optional dependency of this project). */
export const ANVIL_PACKAGE = '@foundry-rs/anvil-linux-amd64';

/** Where anvil is, or why it cannot be used here (printed by the suites that skip). */
export type AnvilLookup = { found: true; binary: string } | { found: false; reason: string };

/**
 * Finds the anvil binary: `$ANVIL` when set, else the one inside {@link ANVIL_PACKAGE}. That package
 * exists for linux-x64 only, so other platforms get a reason to skip unless they set `$ANVIL`.
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
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return {
      found: false,
      reason: `${ANVIL_PACKAGE} ships a linux-x64 binary and this is ${process.platform}-${process.arch}; set ANVIL=/path/to/anvil`,
    };
  }
  try {
    const packageJson = createRequire(import.meta.url).resolve(`${ANVIL_PACKAGE}/package.json`);
    const binary = join(dirname(packageJson), 'bin', 'anvil');
    return existsSync(binary) ? { found: true, binary } : { found: false, reason: `${binary} is missing` };
  } catch {
    return {
      found: false,
      reason: `${ANVIL_PACKAGE} is not installed (an optional dependency: npm install)`,
    };
  }
}
