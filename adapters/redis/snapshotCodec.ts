import type { ProbeLease, SharedEndpointRecord, SharedState } from '../../src/index.js';
import { emptySharedState } from '../../src/state/MemoryStateStore.js';
import { isSharedEndpointRecord } from '../../src/state/parseSharedState.js';

/*
 * The shared state as the Redis scripts read and write it (redisScripts.ts): one JSON record and one
 * JSON lease per endpoint id, written as the changes between two states.
 */

/** One endpoint as the snapshot script returns it: its id, record and lease (JSON, or null when absent). */
export type SnapshotRow = [id: string, record: string | null, lease: string | null];

/** What the commit script writes: records (`e`) and leases (`l`) set or deleted (null), ids gone for good. */
export interface Changes {
  e: Record<string, string | null>;
  l: Record<string, { lease: string; ms: number } | null>;
  gone: string[];
}

// A lease written with its end already past (a clock skew, a test) stays this long rather than vanishing.
const EXPIRED_LEASE_KEPT_MS = 1000;

/**
 * The shared state of a snapshot's rows; a record or lease that does not parse is left out.
 *
 * @example
 * stateOfRows([['e1', '{"ok":true,"latencyMs":12,"checkedAt":1}', null]]).endpoints.e1.ok // true
 */
export function stateOfRows(rows: readonly SnapshotRow[]): SharedState {
  const state = emptySharedState();
  for (const [id, record, lease] of rows) {
    const parsedRecord = parseRecord(record);
    if (parsedRecord) state.endpoints[id] = parsedRecord;
    const parsedLease = parseJson(lease, isLease);
    if (parsedLease) state.leases[id] = parsedLease;
  }
  return state;
}

/**
 * An endpoint's record as stored (JSON); undefined when absent or not a record.
 *
 * @example
 * parseRecord('{"ok":false,"latencyMs":3,"checkedAt":1}') // { ok: false, latencyMs: 3, checkedAt: 1 }
 */
export function parseRecord(json: string | null | undefined): SharedEndpointRecord | undefined {
  return parseJson(json, isSharedEndpointRecord);
}

/**
 * What the store must write to turn `before` into `after`; undefined when nothing changed.
 *
 * @example
 * // before: e1's record, no lease; after: nothing
 * changesBetween(before, emptySharedState(), Date.now()) // { e: { e1: null }, l: {}, gone: ['e1'] }
 */
export function changesBetween(before: SharedState, after: SharedState, now: number): Changes | undefined {
  const changes: Changes = { e: {}, l: {}, gone: [] };
  let changed = false;
  for (const [id, record] of Object.entries(after.endpoints)) {
    const json = JSON.stringify(record);
    if (json === JSON.stringify(before.endpoints[id])) continue;
    changes.e[id] = json;
    changed = true;
  }
  for (const id of Object.keys(before.endpoints)) {
    if (id in after.endpoints) continue;
    changes.e[id] = null;
    changed = true;
  }
  for (const [id, lease] of Object.entries(after.leases)) {
    const old = before.leases[id];
    if (old && old.owner === lease.owner && old.until === lease.until) continue;
    // A lease lives as long as it lasts; one already over is kept a moment, as the others' `until` shows.
    const ms = Math.max(Math.ceil(lease.until - now), EXPIRED_LEASE_KEPT_MS);
    changes.l[id] = { lease: JSON.stringify({ owner: lease.owner, until: lease.until }), ms };
    changed = true;
  }
  for (const id of Object.keys(before.leases)) {
    if (id in after.leases) continue;
    changes.l[id] = null;
    changed = true;
  }
  for (const id of new Set([...Object.keys(before.endpoints), ...Object.keys(before.leases)]))
    if (!(id in after.endpoints) && !(id in after.leases)) changes.gone.push(id);
  return changed ? changes : undefined;
}

function parseJson<T>(json: string | null | undefined, is: (value: unknown) => value is T): T | undefined {
  if (!json) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    return is(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isLease(value: unknown): value is ProbeLease {
  const lease = value as Partial<ProbeLease> | null;
  return typeof lease?.owner === 'string' && typeof lease.until === 'number';
}
