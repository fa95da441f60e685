/** The fault knobs every simulated node has, whatever its chain. */
export interface CommonFaults {
  latencyMs?: number;
  blackhole?: boolean;
  refuse?: boolean;
  lag?: number;
}

/**
 * A simulated node the timeline can break and mend: `SorobanSimulator`, `EvmSimulator` and
 * `BeaconSimulator` all are.
 */
export interface FaultableNode {
  setFaults(patch: CommonFaults): Promise<void>;
  clearFaults(): Promise<void>;
}

/** The three simulated nodes of the demo; `a` is the primary the user's client points at. */
export interface DemoNodes<N extends FaultableNode = FaultableNode> {
  a: N;
  b: N;
  c: N;
}

/**
 * A cluster's nodes as {@link DemoNodes}, in the order of `DEMO_NODE_LABELS`.
 *
 * @example
 * faultTimeline(30_000, demoNodes(cluster.nodes), { headUnit: 'blocks' });
 */
export function demoNodes<N extends FaultableNode>(nodes: readonly N[]): DemoNodes<N> {
  const [a, b, c] = nodes;
  if (!a || !b || !c) throw new Error(`the demo needs three nodes, got ${nodes.length}`);
  return { a, b, c };
}

/** One step of the fault timeline, bound to the nodes of a run. */
export interface FaultStep {
  /** When the step starts, in ms from the start of the demo. */
  atMs: number;
  /** What happens, for people: shown in the table and printed as a line. */
  label: string;
  /** Sets the faults of this step on the nodes. */
  apply(): Promise<void>;
}

/** A step of a script: `at` is a share of the run (0..1), so the script fits any duration. */
export interface ScriptStep<N extends FaultableNode> {
  at: number;
  label: string;
  apply(nodes: DemoNodes<N>): Promise<unknown>;
}

export interface FaultTimelineOptions<N extends FaultableNode> {
  /** What a head counts, for the lagging step's label: `ledgers` (Soroban), `blocks` (EVM). */
  headUnit: string;
  /** Steps only one chain has (an EVM node on the wrong chain), merged in by start time. @default none */
  extraSteps?: readonly ScriptStep<N>[];
}

/** Extra latency of the slow primary: the "slow 800 ms" case of DESIGN.md §5. */
export const SLOW_MS = 800;
/** How far the lagging node falls behind: well past the tolerance of either chain (5 ledgers, 2 blocks). */
export const LAG_BEHIND = 20;

/** The last step of every script: each fault cleared with a fifth of the run left to recover in. */
export const ALL_CLEARED: ScriptStep<FaultableNode> = {
  at: 0.8,
  label: 'all faults cleared',
  apply: ({ a, b, c }) => Promise.all([a.clearFaults(), b.clearFaults(), c.clearFaults()]),
};

// Where each step starts, as a share of the run. node-a is the primary; each fault hits the
// endpoint that carries the traffic at that moment. The last fifth stays fault-free so the
// recovery of every node, and traffic moving back to node-a, can be seen.
function sharedScript(headUnit: string): ScriptStep<FaultableNode>[] {
  return [
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
      label: `node-a back; node-b falls ${LAG_BEHIND} ${headUnit} behind`,
      apply: ({ a, b }) => Promise.all([a.clearFaults(), b.setFaults({ lag: LAG_BEHIND })]),
    },
    {
      at: 0.62,
      label: 'node-a blackholed (accepts, never answers)',
      apply: ({ a }) => a.setFaults({ blackhole: true }),
    },
    ALL_CLEARED,
  ];
}

/**
 * The demo's fault script for `nodes`, scaled to `durationMs`: primary slow, primary dead, a
 * node lagging, a blackhole, then recovery of all, with a chain's own steps merged in.
 *
 * @example
 * faultTimeline(30_000, nodes, { headUnit: 'ledgers' }).map((s) => s.atMs); // [0, 4500, 9000, 13500, 18600, 24000]
 */
export function faultTimeline<N extends FaultableNode>(
  durationMs: number,
  nodes: DemoNodes<N>,
  options: FaultTimelineOptions<N>,
): FaultStep[] {
  return scaleScript(durationMs, nodes, [...sharedScript(options.headUnit), ...(options.extraSteps ?? [])]);
}

/**
 * Any fault script bound to `nodes` and scaled to `durationMs`, its steps in start order: the
 * mechanism behind {@link faultTimeline}, for a part of the demo with a script of its own.
 *
 * @example
 * scaleScript(20_000, demoNodes(cluster.nodes), [{ at: 0.5, label: 'node-a dead', apply: ({ a }) => a.setFaults({ refuse: true }) }]);
 * // [{ atMs: 10_000, label: 'node-a dead', apply }]
 */
export function scaleScript<N extends FaultableNode>(
  durationMs: number,
  nodes: DemoNodes<N>,
  script: readonly ScriptStep<N>[],
): FaultStep[] {
  // A stable sort: a step starting with an earlier-listed one comes after it.
  return [...script]
    .sort((x, y) => x.at - y.at)
    .map(({ at, label, apply }) => ({
      atMs: Math.round(at * durationMs),
      label,
      apply: async () => {
        await apply(nodes);
      },
    }));
}
