import { nodeSpecs, SimulatedCluster } from '../simulated/SimulatedCluster.js';
import { waitForHead } from '../simulated/waitForHead.js';
import { type BeaconSimulator, createNode } from './BeaconSimulator.js';
import type { BeaconClusterOptions } from './options.js';
import { blockRoot, GENESIS_VALIDATORS_ROOT } from './payloads.js';
import { SlotTicker, slotConfig } from './SlotTicker.js';

/**
 * Several simulated beacon nodes sharing one slot clock: at each slot boundary every node streams the
 * head it has then (the cluster slot minus its `lag`), after its own `eventDelayMs`.
 *
 * @example
 * const cluster = await new BeaconCluster({ nodes: 3, slotMs: 200, eventDelayMs: [0, 30, 60] }).start();
 * await cluster.nodes[1]!.setFaults({ lag: 2 });
 * await cluster.waitForSlot(cluster.slot + 1);
 * await cluster.close();
 */
export class BeaconCluster extends SimulatedCluster<BeaconSimulator> {
  /** The nodes, in the order given by `options.nodes`. */
  readonly nodes: readonly BeaconSimulator[];
  /** Unix seconds of slot 0. */
  readonly genesisTime: number;
  /** Slot duration in milliseconds. */
  readonly slotMs: number;
  private readonly ticker: SlotTicker;

  constructor(options: BeaconClusterOptions = {}) {
    const { nodes = 3, eventDelayMs = 0, ...network } = options;
    const ticker = new SlotTicker(slotConfig(network));
    super(ticker);
    this.ticker = ticker;
    ({ genesisTime: this.genesisTime, slotMs: this.slotMs } = ticker.config);
    if (typeof nodes === 'number' && !(Number.isSafeInteger(nodes) && nodes >= 1)) {
      throw new RangeError(`nodes must be a positive integer, got ${nodes}`);
    }
    const specs = nodeSpecs(nodes);
    if (specs.length === 0) throw new RangeError('nodes must not be empty');
    const delays = typeof eventDelayMs === 'number' ? specs.map(() => eventDelayMs) : eventDelayMs;
    if (delays.length !== specs.length || !delays.every((delay) => Number.isFinite(delay) && delay >= 0)) {
      throw new RangeError(
        `eventDelayMs must be 0 or more, once per node (${specs.length}), got ${eventDelayMs}`,
      );
    }
    this.nodes = specs.map((spec, index) => createNode(this, ticker, spec, index, delays[index]!));
  }

  /** Base URLs of the nodes, in order. */
  get urls(): string[] {
    return this.nodes.map((node) => node.url);
  }

  /** Current slot of the cluster; a lagging node's head trails it. */
  get slot(): number {
    return this.ticker.head;
  }

  /**
   * Resolves with the slot once the cluster reaches `slot`.
   *
   * @example
   * await cluster.waitForSlot(cluster.slot + 2);
   */
  waitForSlot(slot: number, timeoutMs = 30_000): Promise<number> {
    return waitForHead(this.ticker, slot, timeoutMs, 'slot');
  }

  /** The `genesis_validators_root` every node serves (but one with the `wrongGenesisRoot` fault). */
  get genesisValidatorsRoot(): string {
    return GENESIS_VALIDATORS_ROOT;
  }

  /**
   * Block root every node reports for `slot`.
   *
   * @example
   * expect(head.block).toBe(cluster.blockRoot(Number(head.slot)));
   */
  blockRoot(slot: number): string {
    return blockRoot(slot);
  }
}
