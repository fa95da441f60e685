import { BeaconCluster } from '../../../testing/beacon.js';
import { DEMO_NODE_LABELS } from '../DemoChain.js';

/** Mainnet's 12 s slots would leave a 20 s demo with two heads; half a second keeps the table moving. */
export const BEACON_DEMO_SLOT_MS = 500;

// When each node streams a slot's head, as a share of the slot after its boundary: node-a first,
// then node-c, then node-b, so the first deliverer moves to another node whenever one is down.
const EVENT_DELAY_SHARES = [0.02, 0.1, 0.05] as const;
// Keep-alives twice a slot, well inside the monitor's stall limit of 1.5 slots: only a stalled
// node goes silent.
const KEEP_ALIVES_PER_SLOT = 2;

/**
 * Starts the beacon part's three simulated beacon nodes on 127.0.0.1, named after
 * {@link DEMO_NODE_LABELS}, on slots of `slotMs`. The caller closes it.
 *
 * @example
 * const cluster = await startBeaconDemoCluster(500);
 * try { ... } finally { await cluster.close(); }
 */
export function startBeaconDemoCluster(slotMs: number): Promise<BeaconCluster> {
  return new BeaconCluster({
    nodes: DEMO_NODE_LABELS.map((name) => ({ name })),
    // The simulator wants whole milliseconds.
    slotMs: Math.round(slotMs),
    keepAliveMs: Math.round(slotMs / KEEP_ALIVES_PER_SLOT),
    eventDelayMs: EVENT_DELAY_SHARES.map((share) => Math.round(share * slotMs)),
  }).start();
}
