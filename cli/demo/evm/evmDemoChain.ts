import { EvmCluster, type EvmSimulator } from '../../../testing/viem.js';
import { DEMO_NODE_LABELS, defineDemoChain } from '../DemoChain.js';
import { demoNodes, faultTimeline, type ScriptStep } from '../faultTimeline.js';
import { evmCalls } from './evmCalls.js';
import { createEvmDemoClient, EVM_LAG_TOLERANCE } from './evmDemoClient.js';

/** What the EVM demo counts heads in. */
const HEAD_UNIT = 'blocks';
/** Ethereum makes a block every 12 s; 1 s makes a lagging node visibly fall behind within the demo. */
const BLOCK_INTERVAL_MS = 1000;
/** The chain id node-c claims while misrouted: mainnet's, as a URL pointing at the wrong network would. */
const WRONG_CHAIN_ID = 1;

// Only EVM nodes can answer for another chain. It fits where node-a is still blackholed: node-b
// catches up at the same moment, so one good node is left whether or not node-c is caught.
// The transport checks an endpoint's chain id once, on its first probe: a node that moves to
// another chain later keeps its traffic. The step stays in the script to show that.
const WRONG_CHAIN_STEP: ScriptStep<EvmSimulator> = {
  at: 0.71,
  label: `node-b caught up; node-c on the wrong chain (id ${WRONG_CHAIN_ID})`,
  apply: ({ b, c }) => Promise.all([b.clearFaults(), c.setFaults({ wrongChainId: WRONG_CHAIN_ID })]),
};

/**
 * The EVM part of the demo: three simulated EVM nodes, a viem public client on
 * `failover([http(a), http(b), http(c)])`, and the shared fault script plus a node on the
 * wrong chain.
 *
 * @example
 * const run = await evmDemoChain.start({ probeIntervalMs: 400, logger });
 */
export const evmDemoChain = defineDemoChain({
  nodeKind: 'EVM',
  headUnit: HEAD_UNIT,
  lagTolerance: EVM_LAG_TOLERANCE,
  startCluster: () =>
    new EvmCluster({
      nodes: DEMO_NODE_LABELS.map((name) => ({ name })),
      blockIntervalMs: BLOCK_INTERVAL_MS,
    }).start(),
  connect(cluster, options) {
    const { client, transport } = createEvmDemoClient(cluster, options);
    return { failover: transport.failover, calls: evmCalls(client) };
  },
  timeline: (cluster, durationMs) =>
    faultTimeline(durationMs, demoNodes(cluster.nodes), {
      headUnit: HEAD_UNIT,
      extraSteps: [WRONG_CHAIN_STEP],
    }),
});
