import { rpc } from '@stellar/stellar-sdk';
import { type FailoverServer, withFailover } from '../../../adapters/soroban/index.js';
import type { Logger, StateStore } from '../../../src/index.js';

/** A node the demo routes to; plain data, so a worker process can be told about it. */
export interface DemoNode {
  name: string;
  url: string;
}

export interface SorobanDemoServerOptions {
  /** Background probe interval. */
  probeIntervalMs: number;
  /** Where the failover's own errors go; the default console logger would scribble over the live table. */
  logger: Logger;
  /** Shares probing with other processes (the `--workers` demo). @default none: health stays local */
  stateStore?: StateStore | undefined;
}

/** The library default, spelled out because the stale-answer count uses it too. */
export const SOROBAN_LAG_TOLERANCE = 5;

/**
 * What a user writes: their own `rpc.Server` on the first node, wrapped with `withFailover`.
 * The first node is their own (tier 0); the others are backups (tier 1) that share the
 * traffic while it is unfit.
 *
 * @example
 * const server = createSorobanDemoServer(cluster.nodes, { probeIntervalMs: 400, logger: silentLogger });
 * await server.getLatestLedger();
 * await server.failover.close();
 */
export function createSorobanDemoServer(
  nodes: readonly DemoNode[],
  options: SorobanDemoServerOptions,
): FailoverServer {
  const [primary] = nodes;
  if (!primary) throw new Error('the demo needs at least one node');
  return withFailover(new rpc.Server(primary.url, { allowHttp: true }), {
    endpoints: nodes.map((node, i) => ({ url: node.url, label: node.name, priority: i === 0 ? 0 : 1 })),
    probeIntervalMs: options.probeIntervalMs,
    lagTolerance: SOROBAN_LAG_TOLERANCE,
    logger: options.logger,
    stateStore: options.stateStore,
  });
}
