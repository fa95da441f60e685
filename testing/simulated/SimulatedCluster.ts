import type { SimulatedNode, SimulatedNodeFaults } from './SimulatedNode.js';

/**
 * The chain-independent life of a simulated cluster: nodes that share one clock, started together and
 * closed together. A simulator extends it with its nodes and the head of its chain (ledger, block, slot).
 *
 * @example
 * const cluster = await new SorobanCluster({ nodes: 3 }).start();
 * await cluster.close();
 */
export abstract class SimulatedCluster<Node extends SimulatedNode<SimulatedNodeFaults>> {
  /** The nodes, in the order given by `options.nodes`. */
  abstract readonly nodes: readonly Node[];
  readonly #clock: { start(): void; stop(): void };
  #started: Promise<this> | undefined;

  /** @param clock - The head counter every node reads; started after the nodes, stopped after them. */
  protected constructor(clock: { start(): void; stop(): void }) {
    this.#clock = clock;
  }

  /**
   * Starts every node, then the clock. Later calls share the first outcome.
   *
   * @example
   * const cluster = await new EvmCluster({ nodes: 2 }).start();
   */
  start(): Promise<this> {
    this.#started ??= (async () => {
      await Promise.all(this.nodes.map((node) => node.start()));
      this.#clock.start();
      return this;
    })();
    return this.#started;
  }

  /**
   * Closes every node and stops the clock; pending and later waits for a head reject.
   *
   * @example
   * await cluster.close();
   */
  async close(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.close()));
    this.#clock.stop();
  }
}

/**
 * One options object per node: the list given, or `count` empty ones.
 *
 * @example
 * const specs = nodeSpecs<SorobanSimulatorOptions>(options.nodes ?? 3);
 */
export function nodeSpecs<Spec extends object>(nodes: number | readonly Spec[]): readonly Spec[] {
  return typeof nodes === 'number' ? Array.from({ length: nodes }, () => ({}) as Spec) : nodes;
}
