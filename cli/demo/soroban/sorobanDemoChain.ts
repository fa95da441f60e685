import type { SorobanCluster } from '../../../testing/index.js';
import { defineDemoChain } from '../DemoChain.js';
import { demoNodes, type FaultStep, faultTimeline } from '../faultTimeline.js';
import { sorobanCalls } from './sorobanCalls.js';
import { startSorobanDemoCluster } from './sorobanDemoCluster.js';
import { createSorobanDemoServer, SOROBAN_LAG_TOLERANCE } from './sorobanDemoServer.js';

/** What the Soroban demo counts heads in. */
const HEAD_UNIT = 'ledgers';

/**
 * The Soroban part of the demo: three simulated Soroban RPC nodes, the user's `rpc.Server`
 * wrapped with `withFailover`, and the shared fault script.
 *
 * @example
 * const run = await sorobanDemoChain.start({ probeIntervalMs: 400, logger });
 */
export const sorobanDemoChain = defineDemoChain({
  nodeKind: 'Soroban RPC',
  headUnit: HEAD_UNIT,
  lagTolerance: SOROBAN_LAG_TOLERANCE,
  startCluster: startSorobanDemoCluster,
  connect(cluster, options) {
    const server = createSorobanDemoServer(cluster.nodes, options);
    return { failover: server.failover, calls: sorobanCalls(server) };
  },
  timeline: sorobanTimeline,
});

/**
 * The Soroban fault timeline on `cluster`'s nodes; the `--workers` demo plays it too.
 *
 * @example
 * new TimelinePlayer(sorobanTimeline(cluster, 30_000), { durationMs: 30_000, elapsed, note, signal });
 */
export function sorobanTimeline(cluster: SorobanCluster, durationMs: number): FaultStep[] {
  return faultTimeline(durationMs, demoNodes(cluster.nodes), { headUnit: HEAD_UNIT });
}
