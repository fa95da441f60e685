import { existsSync } from 'node:fs';
import { type AnvilLookup, findAnvil } from '../../testing/anvil/findAnvil.js';

/** Set (to anything but empty or `0`) by `.ci/run`: there, missing software fails the suite rather than skipping it. */
export const REQUIRE_ANVIL_ENV = 'SWITCHYARD_REQUIRE_ANVIL';
/** As {@link REQUIRE_ANVIL_ENV}, for the browser suites. */
export const REQUIRE_CHROMIUM_ENV = 'SWITCHYARD_REQUIRE_CHROMIUM';
/** Debian's `chromium` package puts it here (`apt-get install chromium`). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Where a program was found, or why it was not. */
export type SoftwareLookup = { found: true; path: string } | { found: false; reason: string };

/**
 * A lookup that failed: throws when `$requireEnv` requires the software (as in CI, where a silent skip
 * would pass a run that proved nothing), else prints why the suites skip.
 */
function missing<L extends { found: false; reason: string }>(
  lookup: L,
  requireEnv: string,
  suites: string,
  env: NodeJS.ProcessEnv,
): L {
  const required = env[requireEnv];
  if (required && required !== '0') {
    throw new Error(`${suites} is required here (${requireEnv}=${required}) but ${lookup.reason}`);
  }
  console.warn(`skipping the ${suites} suites: ${lookup.reason}`);
  return lookup;
}

/**
 * Whether the anvil suites run here: anvil's location when found; when not, the reason is printed
 * and the suites skip, unless `$SWITCHYARD_REQUIRE_ANVIL` is set, as in CI, where a silent skip
 * would pass a run that proved nothing: then it throws.
 *
 * @example
 * const anvil = anvilOrSkip();
 * describe.skipIf(!anvil.found)('on real anvil nodes', () => { ... });
 */
export function anvilOrSkip(env: NodeJS.ProcessEnv = process.env): AnvilLookup {
  const anvil = findAnvil(env);
  return anvil.found ? anvil : missing(anvil, REQUIRE_ANVIL_ENV, 'anvil', env);
}

/**
 * Whether the browser suites run here: Debian's Chromium at {@link CHROMIUM_PATH}; when missing,
 * they skip with the reason printed, unless `$SWITCHYARD_REQUIRE_CHROMIUM` is set (CI): then it throws.
 *
 * @example
 * const chromium = chromiumOrSkip();
 * describe.skipIf(!chromium.found)('in headless Chromium', () => { ... });
 */
export function chromiumOrSkip(env: NodeJS.ProcessEnv = process.env): SoftwareLookup {
  if (existsSync(CHROMIUM_PATH)) return { found: true, path: CHROMIUM_PATH };
  const reason = `${CHROMIUM_PATH} not found (Debian: apt-get install chromium)`;
  return missing({ found: false, reason }, REQUIRE_CHROMIUM_ENV, 'chromium', env);
}
