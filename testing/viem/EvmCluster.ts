import type { Hex } from 'viem';
import { nodeSpecs, SimulatedCluster } from '../simulated/SimulatedCluster.js';
import { waitForHead } from '../simulated/waitForHead.js';
import { balanceOf, Chain, chainConfig } from './Chain.js';
import { createNode, type EvmSimulator } from './EvmSimulator.js';
import type { EvmClusterOptions } from './options.js';

/**
 * Several simulated nodes sharing one block clock and one transaction pool: a transaction sent to any node is
 * included in the next block, and resending it to any node answers `-32000 already known` until then,
 * `nonce too low` after (as geth and anvil do).
 *
 * @example
 * const cluster = await new EvmCluster({ nodes: 3, blockIntervalMs: 100 }).start();
 * const [primary, backup] = cluster.nodes;
 * await backup!.setFaults({ lag: 4 });
 * await cluster.waitForBlock(cluster.head + 1);
 * await cluster.close();
 */
export class EvmCluster extends SimulatedCluster<EvmSimulator> {
  /** The nodes, in the order given by `options.nodes`. */
  readonly nodes: readonly EvmSimulator[];
  /** Chain id of the simulated chain (a node with `wrongChainId` claims another). */
  readonly chainId: number;
  /** Calls whose data starts with this selector revert. */
  readonly revertSelector: Hex;
  /** Data sent with every revert. */
  readonly revertData: Hex;
  private readonly chain: Chain;

  constructor(options: EvmClusterOptions = {}) {
    const { nodes = 3, ...network } = options;
    const chain = new Chain(chainConfig(network));
    super(chain);
    this.chain = chain;
    ({
      chainId: this.chainId,
      revertSelector: this.revertSelector,
      revertData: this.revertData,
    } = chain.config);
    this.nodes = nodeSpecs(nodes).map((spec, index) => createNode(this, chain, spec, index));
  }

  /** Latest block of the cluster; a node's head may trail it. */
  get head(): number {
    return this.chain.head;
  }

  /**
   * Mines a block now, including every pooled transaction; returns the new head.
   *
   * @example
   * const cluster = await new EvmCluster({ blockIntervalMs: 0 }).start(); // manual clock
   * cluster.mineBlock();
   */
  mineBlock(): number {
    return this.chain.mine();
  }

  /**
   * Resolves with the head once the cluster head reaches `number`.
   *
   * @example
   * await cluster.waitForBlock(cluster.head + 2);
   */
  waitForBlock(number: number, timeoutMs = 30_000): Promise<number> {
    return waitForHead(this.chain, number, timeoutMs, 'block');
  }

  /**
   * Balance every node reports for `address`, in wei: between 1 and 1000 ether, fixed per address.
   *
   * @example
   * expect(await client.getBalance({ address })).toBe(cluster.balanceOf(address));
   */
  balanceOf(address: string): bigint {
    return balanceOf(address);
  }
}
