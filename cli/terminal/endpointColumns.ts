import type { EndpointStatus, FailoverStatus } from '../../src/index.js';
import { millis } from './format.js';
import type { Column } from './table.js';

/** What {@link ENDPOINT_COLUMNS} read of an endpoint of a failover instance. */
export interface EndpointCells {
  label: string;
  /** First choice of the route right now. */
  active: boolean;
  state: string;
  /** EWMA of probe and call round trips. */
  rttMs: number | undefined;
  head: number | undefined;
  errors: number;
}

/**
 * The cells every endpoint table shows, from a failover instance's status.
 *
 * @example
 * const status = failover.status();
 * status.endpoints.map((e) => ({ ...endpointCells(e, status), note: e.reason }));
 */
export function endpointCells(endpoint: EndpointStatus, status: FailoverStatus): EndpointCells {
  return {
    label: endpoint.label,
    active: endpoint.id === status.active?.id,
    state: endpoint.state,
    rttMs: endpoint.latency.ewmaMs,
    head: endpoint.head,
    errors: endpoint.errors,
  };
}

/**
 * The columns of an endpoint of a failover instance, shared by the demo's table and `watch`'s:
 * first-choice marker, label, state, EWMA round trip, head, errors.
 */
export const ENDPOINT_COLUMNS = {
  marker: { header: '', width: 1, align: 'left', text: (e) => (e.active ? '▶' : '') },
  label: { header: 'endpoint', width: 12, align: 'left', text: (e) => e.label },
  state: { header: 'state', width: 12, align: 'left', text: (e) => e.state },
  rtt: { header: 'ewma rtt', width: 8, align: 'right', text: (e) => millis(e.rttMs) },
  head: {
    header: 'head',
    width: 8,
    align: 'right',
    text: (e) => (e.head === undefined ? '-' : String(e.head)),
  },
  errors: { header: 'errors', width: 6, align: 'right', text: (e) => String(e.errors) },
} as const satisfies Record<string, Column<EndpointCells>>;
