import type { SharedState } from '../interfaces.js';

/** The format version this package writes and reads. */
export const SHARED_STATE_VERSION = 1;

export type ParsedSharedState = { ok: true; state: SharedState } | { ok: false; problem: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses stored state text. Says what is wrong instead of throwing: truncated or corrupt JSON,
 * a file of a newer version of this package, or an unknown format.
 */
export function parseSharedState(text: string): ParsedSharedState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `is corrupt (${error instanceof Error ? error.message : 'not JSON'})` };
  }
  if (!isRecord(value) || typeof value['version'] !== 'number') {
    return { ok: false, problem: 'has an unknown format' };
  }
  if (value['version'] > SHARED_STATE_VERSION) {
    return { ok: false, problem: `was written by a newer version (format ${value['version']})` };
  }
  if (value['version'] !== SHARED_STATE_VERSION) {
    return { ok: false, problem: `has an unknown format version (${value['version']})` };
  }
  if (!isRecord(value['endpoints']) || !isRecord(value['leases'])) {
    return { ok: false, problem: 'has an unknown format' };
  }
  return { ok: true, state: value as unknown as SharedState };
}
