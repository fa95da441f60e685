import type { Failover } from './createFailover.js';

/** What an adapter hands its users: everything of a failover instance but `call`. */
export type FailoverControl = Omit<Failover, 'call'>;

/**
 * The control surface of `failover` for an adapter's users, optionally with `close` or
 * `updateEndpoints` replaced (to also release the adapter's own clients, say). `closed` stays
 * live; spreading a Failover would freeze it.
 *
 * @example
 * const control = failoverControl(failover, {
 *   close: async () => { await failover.close(); clients.clear(); },
 * });
 */
export function failoverControl(
  failover: Failover,
  overrides: Partial<Pick<FailoverControl, 'close' | 'updateEndpoints'>> = {},
): FailoverControl {
  return {
    status: failover.status,
    metrics: failover.metrics,
    snapshot: failover.snapshot,
    endpoints: failover.endpoints,
    on: failover.on,
    observe: failover.observe,
    updateEndpoints: overrides.updateEndpoints ?? failover.updateEndpoints,
    close: overrides.close ?? failover.close,
    get closed() {
      return failover.closed;
    },
  };
}
