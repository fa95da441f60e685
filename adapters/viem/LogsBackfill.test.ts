import { numberToHex } from 'viem';
import { describe, expect, it } from 'vitest';
import { LogsBackfill, type RpcLog } from './LogsBackfill.js';

const log = (block: number, index: number): RpcLog => ({
  blockNumber: numberToHex(block),
  logIndex: numberToHex(index),
  removed: false,
});

/** A node at `head` holding `logs`; eth_getLogs answers like anvil: only what it has, in the range. */
function node(head: number, logs: RpcLog[]) {
  const asked: unknown[] = [];
  const request = async (method: string, params: unknown[]) => {
    asked.push([method, params]);
    if (method === 'eth_blockNumber') return numberToHex(head);
    const { fromBlock, toBlock } = params[0] as { fromBlock: string; toBlock: string };
    return logs
      .filter((l) => Number(l.blockNumber) >= Number(fromBlock) && Number(l.blockNumber) <= Number(toBlock))
      .reverse(); // order is the back-fill's job
  };
  return { request, asked };
}

const positions = (logs: RpcLog[]) => logs.map((l) => `${Number(l.blockNumber)}:${Number(l.logIndex)}`);

describe('LogsBackfill', () => {
  it('fetches, from the new node up to its head, the logs after the last one delivered, once and in order', async () => {
    const backfill = new LogsBackfill(['logs', { address: '0xabc', topics: ['0x01'] }]);
    await backfill.opened(node(10, []).request, { firstOpen: true });
    expect([log(11, 0), log(11, 1)].map((l) => backfill.accept(l))).toEqual([true, true]);

    const next = node(14, [log(11, 0), log(11, 1), log(11, 2), log(13, 0), log(14, 0)]);
    const missed = await backfill.opened(next.request, { firstOpen: false });
    expect(positions(missed)).toEqual(['11:2', '13:0', '14:0']);
    // The last block delivered may have been cut short: it is asked again; the filter goes with it.
    expect(next.asked[1]).toEqual([
      'eth_getLogs',
      [{ address: '0xabc', topics: ['0x01'], fromBlock: '0xb', toBlock: '0xe' }],
    ]);
    // Live logs the new subscription sends for blocks the back-fill covered are not delivered twice.
    expect([log(14, 0), log(15, 0)].map((l) => backfill.accept(l))).toEqual([false, true]);
  });

  it('asks nothing of a node whose head is behind the logs already delivered, and drops its old logs', async () => {
    const backfill = new LogsBackfill(['logs', {}]);
    await backfill.opened(node(3, []).request, { firstOpen: true });
    backfill.accept(log(9, 0));
    const behind = node(5, [log(4, 0)]);
    expect(await backfill.opened(behind.request, { firstOpen: false })).toEqual([]);
    expect(behind.asked).toEqual([['eth_blockNumber', []]]);
    // A restarted node notifies low blocks again: never delivered, the watch does not go back.
    expect(backfill.accept(log(6, 0))).toBe(false);
    expect(backfill.accept(removedLog(6, 0))).toBe(true);
  });

  it('starts a quiet subscription from the head it opened at', async () => {
    const backfill = new LogsBackfill(['logs', {}]);
    await backfill.opened(node(20, [log(20, 0)]).request, { firstOpen: true });
    const next = node(22, [log(20, 0), log(22, 0)]);
    expect(positions(await backfill.opened(next.request, { firstOpen: false }))).toEqual(['22:0']);
    // Covered through 22 now: the next move starts at 23.
    const again = node(22, []);
    expect(await backfill.opened(again.request, { firstOpen: false })).toEqual([]);
    expect(again.asked).toHaveLength(1);
  });
});

function removedLog(block: number, index: number): RpcLog {
  return { ...log(block, index), removed: true };
}
