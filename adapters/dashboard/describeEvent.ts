import type { EndpointRef } from '../../src/index.js';
import type { DashboardEvent } from './types.js';

/** The events a dashboard lists, per kind of source; a monitor's `head` is counted, not listed. */
export const FAILOVER_EVENTS = [
  'route-change',
  'endpoint-degraded',
  'endpoint-lagging',
  'endpoint-recovered',
  'endpoints-changed',
  'error',
] as const;
export const MONITOR_EVENTS = ['stream-open', 'stream-lost', 'candidates-changed', 'error'] as const;

/** The fields of every listed event that the dashboard reads; each is optional to cover them all. */
interface AnyEvent {
  endpoint?: EndpointRef;
  from?: EndpointRef;
  to?: EndpointRef;
  state?: string;
  previous?: string;
  reason?: string | { toString(): string };
  detail?: string;
  wasOpen?: boolean;
  reconnect?: boolean;
  added?: EndpointRef[];
  removed?: EndpointRef[];
  source?: string;
  error?: Error;
}

const labels = (refs: EndpointRef[] | undefined) => (refs ?? []).map((ref) => ref.label).join(', ') || 'none';
const because = (reason: unknown) => (reason === undefined || reason === '' ? '' : ` (${String(reason)})`);

/**
 * An event of a failover instance or a head monitor as one line of the dashboard: labels and the
 * library's redacted reasons only; of an error, its class and message (already redacted by the
 * library, and scrubbed again before it is sent).
 *
 * @example
 * describeEvent('route-change', { from: a, to: b, reason: 'down' }, Date.now()).text; // 'route a → b (down)'
 */
export function describeEvent(name: string, raw: unknown, at: number): DashboardEvent {
  const event = (raw ?? {}) as AnyEvent;
  const endpoint = event.endpoint?.label;
  const text = (() => {
    switch (name) {
      case 'route-change':
        return `route ${event.from?.label ?? 'none'} → ${event.to?.label ?? 'none'}${because(event.reason)}`;
      case 'endpoint-degraded':
      case 'endpoint-lagging':
      case 'endpoint-recovered':
        return `${endpoint}: ${event.previous} → ${event.state}${because(event.reason)}`;
      case 'endpoints-changed':
      case 'candidates-changed':
        return `added ${labels(event.added)}; removed ${labels(event.removed)}`;
      case 'stream-open':
        return `${endpoint}: stream ${event.reconnect ? 'reopened' : 'opened'}`;
      case 'stream-lost':
        return `${endpoint}: stream ${event.wasOpen ? 'lost' : 'failed to open'}${because(event.reason)}${event.detail ? `: ${event.detail}` : ''}`;
      case 'error':
        return `${event.source ?? 'background'} error: ${event.error?.name ?? 'Error'}: ${event.error?.message ?? ''}`;
      default:
        return name;
    }
  })();
  return { at, name, endpoint: endpoint ?? event.to?.label, text };
}
