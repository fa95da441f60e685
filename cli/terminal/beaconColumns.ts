import type { HeadStreamStatus } from '../../src/index.js';
import { millis } from './format.js';
import type { Column } from './table.js';

/** A beacon node's line in the demo's and `watch`'s tables: its stream, and the heads it delivered first. */
export interface BeaconNodeRow
  extends Pick<
    HeadStreamStatus,
    'label' | 'state' | 'connected' | 'isLatest' | 'lastEventAgeMs' | 'health' | 'metrics'
  > {
  /** Slot of the last head the node delivered while connected. */
  headSlot: number | undefined;
  /** Announced heads this node delivered before any other. */
  firsts: number;
}

/**
 * The columns of a beacon node's stream, by name, shared by the demo's table and `watch`'s: the
 * stream (state, connection, head, whether that head is the latest, time since its last event,
 * probe health) and its counters.
 */
export const BEACON_COLUMNS = {
  node: { header: 'node', width: 8, align: 'left', text: (r) => r.label },
  stream: { header: 'stream', width: 10, align: 'left', text: (r) => r.state },
  connected: { header: 'connected', width: 9, align: 'left', text: (r) => (r.connected ? 'yes' : 'no') },
  headSlot: {
    header: 'head slot',
    width: 9,
    align: 'right',
    text: (r) => (r.headSlot === undefined ? '-' : String(r.headSlot)),
  },
  latest: { header: 'latest', width: 6, align: 'left', text: (r) => (r.isLatest ? 'yes' : 'no') },
  lastEvent: { header: 'last event', width: 10, align: 'right', text: (r) => millis(r.lastEventAgeMs) },
  health: { header: 'health', width: Number.POSITIVE_INFINITY, align: 'left', text: (r) => r.health ?? '-' },
  heads: { header: 'heads', width: 5, align: 'right', text: (r) => String(r.metrics.headsReceived) },
  first: { header: 'first', width: 5, align: 'right', text: (r) => String(r.firsts) },
  duplicates: {
    header: 'duplicates',
    width: 10,
    align: 'right',
    text: (r) => String(r.metrics.duplicatesDropped),
  },
  disconnects: {
    header: 'disconnects',
    width: 11,
    align: 'right',
    text: (r) => String(r.metrics.disconnections),
  },
  reconnects: {
    header: 'reconnects',
    width: 10,
    align: 'right',
    text: (r) => String(r.metrics.reconnections),
  },
  restarts: { header: 'restarts', width: 8, align: 'right', text: (r) => String(r.metrics.restarts) },
  malformed: {
    header: 'malformed',
    width: 9,
    align: 'right',
    text: (r) => String(r.metrics.malformedEvents),
  },
} as const satisfies Record<string, Column<BeaconNodeRow>>;
