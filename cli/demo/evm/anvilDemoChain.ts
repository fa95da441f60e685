import { defineDemoChain } from '../DemoChain.js';
import { ALL_CLEARED, demoNodes, type ScriptStep, scaleScript } from '../faultTimeline.js';
import { type AnvilDemoNode, AnvilNodes } from './anvilNodes.js';
import { evmCalls } from './evmCalls.js';
import { createEvmDemoClient, EVM_LAG_TOLERANCE } from './evmDemoClient.js';

// The simulated demo's script with the faults real processes have: node-a frozen where the
// simulation makes it slow, killed where it refuses, restarted (at height 0, synced back) where it
// comes back, frozen again where it is blackholed. node-b's head stops instead of lagging by a set
// number: it falls a block behind every second. The last fifth stays fault-free.
const ANVIL_SCRIPT: readonly ScriptStep<AnvilDemoNode>[] = [
  { at: 0, label: 'all healthy; node-a primary, node-b and node-c backups', apply: async () => {} },
  {
    at: 0.15,
    label: 'node-a frozen (SIGSTOP: accepts connections, never answers)',
    apply: ({ a }) => a.setFaults({ blackhole: true }),
  },
  {
    at: 0.3,
    label: 'node-a killed (SIGKILL: connections refused)',
    apply: ({ a }) => a.setFaults({ refuse: true }),
  },
  {
    at: 0.45,
    label: 'node-a restarted at height 0 and synced back; node-b head stalled (evm_setIntervalMining 0)',
    apply: ({ a, b }) => Promise.all([a.clearFaults(), b.setFaults({ lag: 1 })]),
  },
  {
    at: 0.62,
    label: 'node-a frozen again (SIGSTOP)',
    apply: ({ a }) => a.setFaults({ blackhole: true }),
  },
  ALL_CLEARED,
];

/**
 * The EVM demo on three real anvil nodes (`--nodes anvil`): the same viem client on
 * `failover([http(a), http(b), http(c)])` and the same table, with faults made to the processes:
 * frozen (SIGSTOP), killed and restarted, head stalled. Needs the npm package
 * `@foundry-rs/anvil` (or `$ANVIL`).
 *
 * @example
 * const run = await anvilDemoChain.start({ probeIntervalMs: 400, logger });
 */
export const anvilDemoChain = defineDemoChain({
  nodeKind: 'EVM',
  nodeSource: 'anvil',
  headUnit: 'blocks',
  lagTolerance: EVM_LAG_TOLERANCE,
  startCluster: () => AnvilNodes.start(),
  connect(fleet, options) {
    const { client, transport } = createEvmDemoClient(fleet, options);
    return { failover: transport.failover, calls: evmCalls(client) };
  },
  timeline: (fleet, durationMs) => scaleScript(durationMs, demoNodes(fleet.nodes), ANVIL_SCRIPT),
});
