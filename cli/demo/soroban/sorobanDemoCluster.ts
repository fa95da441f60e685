import { SorobanCluster } from '../../../testing/index.js';
import { DEMO_NODE_LABELS } from '../DemoChain.js';

/** Stellar closes a ledger every ~5 s; 1 s makes a lagging node visibly fall behind within the demo. */
const LEDGER_INTERVAL_MS = 1000;

/**
 * Starts the demo's three simulated Soroban RPC nodes on 127.0.0.1, named after
 * {@link DEMO_NODE_LABELS}. The caller closes it.
 *
 * @example
 * const cluster = await startSorobanDemoCluster();
 * try { ... } finally { await cluster.close(); }
 */
export function startSorobanDemoCluster(): Promise<SorobanCluster> {
  return new SorobanCluster({
    nodes: DEMO_NODE_LABELS.map((name) => ({ name })),
    ledgerIntervalMs: LEDGER_INTERVAL_MS,
  }).start();
}
