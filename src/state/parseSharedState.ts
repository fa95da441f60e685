import type { SharedEndpointRecord, SharedState } from '../interfaces.js';

/** The format version this package writes and reads. */
export const SHARED_STATE_VERSION = 1;

export type ParsedSharedState = { ok: true; state: SharedState } | { ok: false; problem: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether `value` has the shape of a {@link SharedEndpointRecord} (from a file, Redis or a message). */
export const isSharedEndpointRecord = (value: unknown): value is SharedEndpointRecord =>
  isRecord(value) &&
  typeof value['ok'] === 'boolean' &&
  typeof value['latencyMs'] === 'number' &&
  typeof value['checkedAt'] === 'number';

const isLease = (value: unknown): boolean =>
  isRecord(value) && typeof value['owner'] === 'string' && typeof value['until'] === 'number';

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
  const { endpoints, leases } = value;
  if (!isRecord(endpoints) || !Object.values(endpoints).every(isSharedEndpointRecord)) {
    return { ok: false, problem: 'has an unknown format (endpoints)' };
  }
  if (!isRecord(leases) || !Object.values(leases).every(isLease)) {
    return { ok: false, problem: 'has an unknown format (leases)' };
  }
  return { ok: true, state: value as unknown as SharedState };
}
