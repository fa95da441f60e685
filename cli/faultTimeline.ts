import type { SorobanSimulator } from '../testing/index.js';

/** The three simulated nodes of the demo; `a` is the primary the user's `rpc.Server` points at. */
export interface DemoNodes {
  a: SorobanSimulator;
  b: SorobanSimulator;
  c: SorobanSimulator;
}

/** One step of the fault timeline. */
export interface FaultStep {
  /** When the step starts, in ms from the start of the demo. */
  atMs: number;
  /** What happens, for people: shown in the table and printed as a line. */
  label: string;
  /** Sets the faults of this step on the nodes. */
  apply(nodes: DemoNodes): Promise<void>;
}

/** Extra latency of the slow primary: the "slow 800 ms" case of DESIGN.md §5. */
export const SLOW_MS = 800;
/** How far the lagging node falls behind: well past the default tolerance of 5 ledgers. */
export const LAG_LEDGERS = 20;

// Where each step starts, as a share of the run. node-a is the primary; each fault hits the
// endpoint that carries the traffic at that moment. The last fifth stays fault-free so the
// recovery of every node, and traffic moving back to node-a, can be seen.
const SCRIPT: readonly { at: number; label: string; apply(nodes: DemoNodes): Promise<unknown> }[] = [
  { at: 0, label: 'all healthy; node-a primary, node-b and node-c backups', apply: async () => {} },
  {
    at: 0.15,
    label: `node-a slow (+${SLOW_MS} ms per answer)`,
    apply: ({ a }) => a.setFaults({ latencyMs: SLOW_MS }),
  },
  {
    at: 0.3,
    label: 'node-a dead (refuses connections)',
    apply: ({ a }) => a.setFaults({ latencyMs: 0, refuse: true }),
  },
  {
    at: 0.45,
    label: `node-a back; node-b falls ${LAG_LEDGERS} ledgers behind`,
    apply: ({ a, b }) => Promise.all([a.clearFaults(), b.setFaults({ lag: LAG_LEDGERS })]),
  },
  {
    at: 0.62,
    label: 'node-a blackholed (accepts, never answers)',
    apply: ({ a }) => a.setFaults({ blackhole: true }),
  },
  {
    at: 0.8,
    label: 'all faults cleared',
    apply: ({ a, b, c }) => Promise.all([a.clearFaults(), b.clearFaults(), c.clearFaults()]),
  },
];

/**
 * The demo's fault script, scaled to `durationMs`: primary slow, primary dead, a node lagging,
 * a blackhole, then recovery of all.
 *
 * @example
 * faultTimeline(30_000).map((s) => s.atMs); // [0, 4500, 9000, 13500, 18600, 24000]
 */
export function faultTimeline(durationMs: number): FaultStep[] {
  return SCRIPT.map(({ at, label, apply }) => ({
    atMs: Math.round(at * durationMs),
    label,
    apply: async (nodes) => {
      await apply(nodes);
    },
  }));
}
