import type { EndpointStateEvent, RouteChangeEvent } from '../../src/index.js';

/**
 * A route change in words: `route node-a → node-b (no answer within 250 ms)`.
 * The reason is why the previous first choice lost its place.
 */
export function describeRouteChange(event: RouteChangeEvent): string {
  const from = event.from?.label ?? 'none';
  const to = event.to?.label ?? 'none (no routable endpoint)';
  return `route ${from} → ${to}${event.reason ? ` (${event.reason})` : ''}`;
}

/**
 * An endpoint state change in words: `node-a down: probe timed out after 320 ms`,
 * `node-a recovered (was down)`.
 */
export function describeStateChange(event: EndpointStateEvent): string {
  const { endpoint, state, previous, reason } = event;
  if (state === 'healthy') return `${endpoint.label} recovered (was ${previous})`;
  return `${endpoint.label} ${state}${reason ? `: ${reason}` : ''}`;
}
