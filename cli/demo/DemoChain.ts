import type { FailoverControl, Logger } from '../../src/index.js';
import type { FaultStep } from './faultTimeline.js';
import type { DemoCall } from './startWorkload.js';

/** The chains the demo can simulate; `soroban` is the default. */
export const DEMO_CHAIN_NAMES = ['soroban', 'evm'] as const;
/** A chain the demo can simulate. */
export type DemoChainName = (typeof DEMO_CHAIN_NAMES)[number];

/** Where the demo's nodes come from: simulated in this process, or real anvil processes (EVM only). */
export const DEMO_NODE_SOURCES = ['simulated', 'anvil'] as const;
/** Where the demo's nodes come from. */
export type DemoNodeSource = (typeof DEMO_NODE_SOURCES)[number];

/** The demo's nodes, in order: node-a is the user's own node (the primary), the others are backups. */
export const DEMO_NODE_LABELS = ['node-a', 'node-b', 'node-c'] as const;

/** What the demo tells a chain's client when it connects it. */
export interface DemoConnectOptions {
  /** Background probe interval of the failover. */
  probeIntervalMs: number;
  /** Where the failover's own errors go; the default console logger would scribble over the live table. */
  logger: Logger;
}

/** The user's client on the simulated nodes, through failover, as a chain's demo sees it. */
export interface DemoClient {
  /** The failover's control surface: status and events for the table. */
  failover: FailoverControl;
  /** The workload's call mix, made through the client. */
  calls: readonly DemoCall[];
}

/** What a chain's simulated cluster must offer the demo. */
export interface DemoClusterLike {
  /** The network's head now (ledger, block). */
  readonly head: number;
  close(): Promise<void>;
}

/**
 * What one chain brings to the demo, written once per chain; {@link defineDemoChain} turns it
 * into a {@link DemoChain}. Everything else (display, recorder, summary) is shared.
 */
export interface DemoChainSpec<C extends DemoClusterLike> {
  /** What the simulated nodes are, for titles: `Soroban RPC`, `EVM`. */
  nodeKind: string;
  /** Where the nodes come from, for titles. @default 'simulated' */
  nodeSource?: DemoNodeSource;
  /** What a head counts, for people: `ledgers`, `blocks`. */
  headUnit: string;
  /** Heads an answer may trail the network before it is stale: the failover's `lagTolerance` too. */
  lagTolerance: number;
  /** Starts the nodes on 127.0.0.1, named after {@link DEMO_NODE_LABELS}. */
  startCluster(): Promise<C>;
  /** What a user writes: their own client on the nodes, through failover. */
  connect(cluster: C, options: DemoConnectOptions): DemoClient;
  /** The fault script on the cluster's nodes, scaled to the run. */
  timeline(cluster: C, durationMs: number): FaultStep[];
}

/** A running chain of the demo: nodes up, the user's client connected. */
export interface DemoChainRun extends DemoClient {
  /** The network's head now, to tell stale answers. */
  networkHead(): number;
  /** The fault script of this run, scaled to `durationMs`. */
  timeline(durationMs: number): FaultStep[];
  /** Closes the failover, then the nodes. Stop the workload first: a call cut off by close() would fail. */
  close(): Promise<void>;
}

/** A chain the demo runs on: labels for the screen, and `start()`. */
export interface DemoChain
  extends Pick<DemoChainSpec<DemoClusterLike>, 'nodeKind' | 'headUnit' | 'lagTolerance'> {
  nodeSource: DemoNodeSource;
  /** Starts the nodes and connects the user's client. The caller closes the run. */
  start(options: DemoConnectOptions): Promise<DemoChainRun>;
}

/**
 * Turns a chain's parts into a {@link DemoChain}, with the start-up and shut-down order every
 * chain shares: nodes up before the client, failover closed before the nodes, and no node left
 * running when connecting fails.
 *
 * @example
 * export const sorobanDemoChain = defineDemoChain({ nodeKind: 'Soroban RPC', headUnit: 'ledgers', ... });
 */
export function defineDemoChain<C extends DemoClusterLike>(spec: DemoChainSpec<C>): DemoChain {
  const { nodeKind, nodeSource = 'simulated', headUnit, lagTolerance } = spec;
  return {
    nodeKind,
    nodeSource,
    headUnit,
    lagTolerance,
    async start(options) {
      const cluster = await spec.startCluster();
      try {
        const { failover, calls } = spec.connect(cluster, options);
        return {
          failover,
          calls,
          networkHead: () => cluster.head,
          timeline: (durationMs) => spec.timeline(cluster, durationMs),
          async close() {
            try {
              await failover.close();
            } finally {
              await cluster.close();
            }
          },
        };
      } catch (error) {
        await cluster.close();
        throw error;
      }
    },
  };
}

/**
 * The chain called `name`, on simulated nodes or (EVM only) on real anvil nodes. Loaded on demand:
 * each chain needs its own SDK (an optional peer dependency), so the EVM demo runs without the
 * Stellar SDK and the other way round.
 *
 * @example
 * const chain = await loadDemoChain('evm', 'anvil');
 * const run = await chain.start({ probeIntervalMs: 400, logger: silentLogger });
 */
export async function loadDemoChain(
  name: DemoChainName,
  nodes: DemoNodeSource = 'simulated',
): Promise<DemoChain> {
  if (nodes === 'anvil' && name !== 'evm')
    throw new Error(`anvil nodes serve the EVM demo only, not ${name}`);
  switch (name) {
    case 'soroban':
      return (await import('./soroban/sorobanDemoChain.js')).sorobanDemoChain;
    case 'evm':
      return nodes === 'anvil'
        ? (await import('./evm/anvilDemoChain.js')).anvilDemoChain
        : (await import('./evm/evmDemoChain.js')).evmDemoChain;
  }
}
