import { numberToHex } from 'viem';

/** A log as `eth_subscribe('logs')` notifies it and `eth_getLogs` answers it (the fields read here). */
export interface RpcLog {
  blockNumber?: `0x${string}` | null;
  logIndex?: `0x${string}` | null;
  removed?: boolean;
}

/** One JSON-RPC request to the node a subscription now runs on. */
export type NodeRequest = (method: string, params: unknown[]) => Promise<unknown>;

/** A log's place in its chain: its block, then its index in the block. */
interface Position {
  block: number;
  index: number;
}

const positionOf = (log: RpcLog): Position | undefined =>
  log.blockNumber && log.logIndex
    ? { block: Number(log.blockNumber), index: Number(log.logIndex) }
    : undefined;

const after = (a: Position, b: Position) => a.block > b.block || (a.block === b.block && a.index > b.index);

/**
 * The logs a `logs` subscription owes its watcher after it moved to another node. Logs are delivered
 * in chain order, so one cursor (the last log delivered) is the whole dedupe window: a log at or
 * before it has been delivered, by the old node, the new one or the back-fill.
 *
 * The rule for the gap: after each move, ask the node the subscription now runs on for its head H,
 * then for `eth_getLogs` from the first block not yet covered to H, on that same node. Its head has
 * reached the end of the range by construction: a node that is behind answers a range past its head
 * with a silently truncated list (anvil), or an error when the range starts past it. Logs of blocks
 * after H come live from the new subscription (it was opened before H was read; the overlap is
 * deduped). A node behind the last log delivered has nothing to add: its range is empty, and its
 * live logs up to the cursor are dropped.
 *
 * @example
 * const backfill = new LogsBackfill(['logs', { address }]);
 * await backfill.opened(requestOf(first), { firstOpen: true });
 * if (backfill.accept(log)) deliver(log); // a live log
 * for (const log of await backfill.opened(requestOf(next), { firstOpen: false })) deliver(log);
 */
export class LogsBackfill {
  /** The subscription's own filter, sent with each `eth_getLogs`. */
  readonly #filter: { address?: unknown; topics?: unknown };
  /** The last log delivered. */
  #cursor: Position | undefined;
  /** Every log of blocks up to this one has been delivered, or came before the subscription. */
  #covered: number | undefined;

  constructor(params: readonly unknown[]) {
    const { address, topics } = (params[1] ?? {}) as { address?: unknown; topics?: unknown };
    this.#filter = { ...(address !== undefined && { address }), ...(topics !== undefined && { topics }) };
  }

  /** Whether a live log is new (then it is now the last delivered). Removed logs (reorgs) always pass. */
  accept(log: RpcLog): boolean {
    const position = positionOf(log);
    if (log.removed || !position) return true;
    if (this.#cursor && !after(position, this.#cursor)) return false;
    this.#cursor = position;
    // Logs come in block order: the blocks before this one are complete.
    this.#covered = Math.max(this.#covered ?? -1, position.block - 1);
    return true;
  }

  /**
   * After the subscription opened on a node: the logs of the gap, in order, not delivered before, to
   * deliver before any later live log. On the first open it only notes where the subscription starts.
   */
  async opened(request: NodeRequest, { firstOpen }: { firstOpen: boolean }): Promise<RpcLog[]> {
    const head = Number(await request('eth_blockNumber', []));
    if (firstOpen || this.#covered === undefined) {
      // Logs up to the head at subscription time came before it (a log mined in between is live).
      this.#covered = Math.max(this.#covered ?? -1, head);
      return [];
    }
    const from = this.#covered + 1;
    if (from > head) return [];
    const logs = (await request('eth_getLogs', [
      { ...this.#filter, fromBlock: numberToHex(from), toBlock: numberToHex(head) },
    ])) as RpcLog[];
    const missed = [...logs]
      .filter((log) => positionOf(log))
      .sort((a, b) => (after(positionOf(a)!, positionOf(b)!) ? 1 : -1))
      .filter((log) => this.accept(log));
    this.#covered = Math.max(this.#covered, head);
    return missed;
  }
}
