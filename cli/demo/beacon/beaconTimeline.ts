import type { BeaconCluster, BeaconSimulator } from '../../../testing/beacon.js';
import { ALL_CLEARED, demoNodes, type FaultStep, type ScriptStep, scaleScript } from '../faultTimeline.js';

/** A fault that has just ended (or, for a one-off like a dropped stream, just happened). */
export interface ClearedFault {
  /** The node's label. */
  label: string;
  /** What it was, for the summary: `streams dropped`, `refused connections`. */
  fault: string;
  /**
   * Whether the fault broke the node's stream, so that it is back only after a reconnection; a
   * stalled stream may still be open when the stall ends.
   */
  broke: boolean;
}

/** Slots the lagging node falls behind: past the monitor's lag tolerance of 2 slots. */
const BEACON_LAG_SLOTS = 3;

// Where each step starts, as a share of the run. Faults overlap only where another node stays
// healthy, so every slot still has a node to announce it; the last fifth is fault-free.
function beaconScript(cleared: (fault: ClearedFault) => void): ScriptStep<BeaconSimulator>[] {
  const dropped = (node: BeaconSimulator) => {
    node.dropStreams();
    cleared({ label: node.name, fault: 'streams dropped', broke: true });
  };
  const mended = async (node: BeaconSimulator, fault: string, broke = true) => {
    await node.clearFaults();
    cleared({ label: node.name, fault, broke });
  };
  return [
    { at: 0, label: 'all healthy; every node streams its heads', apply: async () => {} },
    {
      at: 0.06,
      label: 'node-a streams dropped (as a restarting proxy does)',
      apply: async ({ a }) => dropped(a),
    },
    {
      at: 0.12,
      label: 'node-b streams stall (no events, no keep-alives)',
      apply: ({ b }) => b.setFaults({ stallStreams: true }),
    },
    {
      at: 0.24,
      label: 'node-b streams flow again; node-c sends a malformed head event',
      apply: async ({ b, c }) => {
        await mended(b, 'streams stalled', false);
        c.sendMalformed('json');
        cleared({ label: c.name, fault: 'malformed event', broke: true });
      },
    },
    { at: 0.32, label: 'node-a streams dropped again', apply: async ({ a }) => dropped(a) },
    {
      at: 0.38,
      label: 'node-a dead (refuses connections)',
      apply: ({ a }) => a.setFaults({ refuse: true }),
    },
    {
      at: 0.5,
      label: 'node-a back; node-b unavailable (503 syncing), its streams dropped',
      apply: async ({ a, b }) => {
        await mended(a, 'refused connections');
        // An unavailable node keeps its open streams flowing; only new ones get the 503.
        await b.setFaults({ unavailable: true });
        b.dropStreams();
      },
    },
    {
      at: 0.62,
      label: `node-b back; node-c falls ${BEACON_LAG_SLOTS} slots behind`,
      apply: async ({ b, c }) => {
        await mended(b, 'unavailable (503)');
        await c.setFaults({ lag: BEACON_LAG_SLOTS });
      },
    },
    { at: 0.7, label: 'node-a streams dropped a third time', apply: async ({ a }) => dropped(a) },
    ALL_CLEARED,
  ];
}

/**
 * The beacon part's fault script on `cluster`'s nodes, scaled to `durationMs`: dropped streams,
 * a stall, a malformed event, a dead node, a node answering 503 and a lagging node, each on a
 * node of its own while the others stream. `cleared` hears of each stream fault as it ends.
 *
 * @example
 * const steps = beaconTimeline(cluster, 20_000, (fault) => recoveries.watch(fault));
 * new TimelinePlayer(steps, { durationMs: 20_000, elapsed, note, signal });
 */
export function beaconTimeline(
  cluster: BeaconCluster,
  durationMs: number,
  cleared: (fault: ClearedFault) => void,
): FaultStep[] {
  return scaleScript(durationMs, demoNodes(cluster.nodes), beaconScript(cleared));
}
