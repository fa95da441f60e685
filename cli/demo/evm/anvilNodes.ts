import { AnvilNode, stopAllAnvils } from '../../../testing/anvil/AnvilNode.js';
import { DEMO_NODE_LABELS } from '../DemoChain.js';
import type { CommonFaults, FaultableNode } from '../faultTimeline.js';

/** The chain id of every node: anvil's default, so all three serve one chain. */
const CHAIN_ID = 31337;
/** anvil mines a block a second, as the simulated EVM demo does. */
const BLOCK_TIME_SECONDS = 1;
/** How often the network head is read from the nodes; a head answer takes about a millisecond. */
const HEAD_POLL_MS = 250;
/** A frozen node never answers: give up on its head quickly. */
const HEAD_TIMEOUT_MS = 200;
/** Exit codes of a process ended by SIGTERM or SIGHUP, the way a shell reports them. */
const SIGNAL_EXIT_CODES = { SIGTERM: 143, SIGHUP: 129 } as const;

/**
 * One real anvil node of the demo, broken the real way behind the same {@link FaultableNode} knobs
 * as a simulated node: `blackhole` freezes the process (SIGSTOP: connections are accepted, nothing
 * answers), `refuse` kills it (SIGKILL: connections refused), `lag` stalls its head
 * (`evm_setIntervalMining 0`: it answers, its head stops, whatever the number). There is no
 * latency knob on a real node. {@link clearFaults} thaws, restarts (at height 0, on the same port)
 * and resumes mining, then mines the node up to the network's head, as a real node syncs back.
 *
 * @example
 * await node.setFaults({ blackhole: true }); // SIGSTOP
 * await node.clearFaults(); // SIGCONT, synced back to the head
 */
export class AnvilDemoNode implements FaultableNode {
  readonly name: string;
  readonly #node: AnvilNode;
  readonly #networkHead: () => number;
  #frozen = false;
  #stalled = false;

  constructor(name: string, node: AnvilNode, networkHead: () => number) {
    this.name = name;
    this.#node = node;
    this.#networkHead = networkHead;
  }

  get url(): string {
    return this.#node.url;
  }

  /** Whether it can answer now: running and not frozen. */
  get answering(): boolean {
    return this.#node.running && !this.#frozen;
  }

  /** Its head, or undefined when it does not answer within a short timeout. */
  async head(): Promise<number | undefined> {
    if (!this.answering) return undefined;
    try {
      return Number(await this.#node.request('eth_blockNumber', [], HEAD_TIMEOUT_MS));
    } catch {
      return undefined;
    }
  }

  async setFaults(patch: CommonFaults): Promise<void> {
    if (patch.latencyMs) throw new Error('a real anvil node has no latency knob');
    if (patch.refuse) {
      await this.#node.kill();
      this.#frozen = false;
    } else if (patch.blackhole && this.#node.running) {
      await this.#node.freeze();
      this.#frozen = true;
    }
    if (patch.lag && this.answering) {
      await this.#node.request('evm_setIntervalMining', [0]);
      this.#stalled = true;
    }
  }

  async clearFaults(): Promise<void> {
    if (!this.#node.running) {
      await this.#node.restart();
      this.#stalled = false;
    }
    if (this.#frozen) {
      this.#node.thaw();
      this.#frozen = false;
    }
    if (this.#stalled) {
      await this.#node.request('evm_setIntervalMining', [BLOCK_TIME_SECONDS]);
      this.#stalled = false;
    }
    // A thawed, restarted or resumed anvil goes on from where it stopped: mine the gap.
    const behind = this.#networkHead() - ((await this.head()) ?? 0);
    if (behind > 0) await this.#node.request('anvil_mine', [`0x${behind.toString(16)}`]);
  }

  close(): Promise<void> {
    return this.#node.close();
  }
}

/**
 * The demo's three real anvil nodes, named after `DEMO_NODE_LABELS`, each mining a block a second
 * on one chain id. Its shape is the one the EVM demo's client and fault script need from the
 * simulated `EvmCluster`: `chainId`, `nodes` (name, url, faults), `head`, `close()`. Every anvil
 * is reaped by {@link close}, on SIGTERM or SIGHUP, and at the latest when the process exits.
 *
 * @example
 * const fleet = await AnvilNodes.start();
 * await fleet.nodes[0].setFaults({ blackhole: true });
 * await fleet.close();
 */
export class AnvilNodes {
  readonly chainId = CHAIN_ID;
  readonly nodes: readonly AnvilDemoNode[];
  #head = 0;
  readonly #poller: NodeJS.Timeout;
  #polling = false;

  private constructor(anvils: readonly AnvilNode[]) {
    this.nodes = anvils.map((anvil, i) => new AnvilDemoNode(DEMO_NODE_LABELS[i]!, anvil, () => this.#head));
    this.#poller = setInterval(() => void this.#pollHead(), HEAD_POLL_MS).unref();
    for (const signal of Object.keys(SIGNAL_EXIT_CODES)) process.on(signal, exitOnSignal);
  }

  /** Starts the three nodes; none is left running when one fails to start. */
  static async start(): Promise<AnvilNodes> {
    const started = await Promise.allSettled(
      DEMO_NODE_LABELS.map(() =>
        AnvilNode.start({ chainId: CHAIN_ID, blockTimeSeconds: BLOCK_TIME_SECONDS }),
      ),
    );
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) {
      await stopAllAnvils();
      throw failed.reason;
    }
    const fleet = new AnvilNodes(
      started.map((result) => (result as PromiseFulfilledResult<AnvilNode>).value),
    );
    await fleet.#pollHead();
    return fleet;
  }

  /** The network's head: the highest block any node has reached. */
  get head(): number {
    return this.#head;
  }

  /** Stops every node and waits until all are gone. */
  async close(): Promise<void> {
    clearInterval(this.#poller);
    for (const signal of Object.keys(SIGNAL_EXIT_CODES)) process.off(signal, exitOnSignal);
    await Promise.all(this.nodes.map((node) => node.close()));
  }

  async #pollHead(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const heads = await Promise.all(this.nodes.map((node) => node.head()));
      for (const head of heads) if (head !== undefined && head > this.#head) this.#head = head;
    } finally {
      this.#polling = false;
    }
  }
}

/**
 * A SIGTERM or SIGHUP would end the process without its `exit` event, leaving the anvils running:
 * exit instead, and `AnvilNode`'s exit hook kills them.
 */
function exitOnSignal(signal: NodeJS.Signals): void {
  process.exit(SIGNAL_EXIT_CODES[signal as keyof typeof SIGNAL_EXIT_CODES]);
}
