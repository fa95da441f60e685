import { type AnvilLookup, findAnvil } from '../../testing/anvil/findAnvil.js';

/** Set (to anything but empty or `0`) by `.ci/run`: there, missing software fails the suite rather than skipping it. */
export const REQUIRE_ANVIL_ENV = 'SWITCHYARD_REQUIRE_ANVIL';

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
  if (anvil.found) return anvil;
  const required = env[REQUIRE_ANVIL_ENV];
  if (required && required !== '0') {
    throw new Error(`anvil is required here (${REQUIRE_ANVIL_ENV}=${required}) but ${anvil.reason}`);
  }
  console.warn(`skipping the anvil suites: ${anvil.reason}`);
  return anvil;
}
