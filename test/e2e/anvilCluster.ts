import { AnvilNode, type AnvilNodeOptions } from '../../testing/anvil/AnvilNode.js';

/**
 * `count` real anvil nodes on one chain id, started in parallel.
 *
 * @example
 * const nodes = await startAnvils(3, { blockTimeSeconds: 1 });
 */
export function startAnvils(count: number, options: AnvilNodeOptions = {}): Promise<AnvilNode[]> {
  return Promise.all(Array.from({ length: count }, () => AnvilNode.start(options)));
}

/** The node's `eth_blockNumber`, as a number. */
export async function headOf(node: AnvilNode): Promise<number> {
  return Number(await node.request('eth_blockNumber'));
}

/**
 * Undoes any fault (frozen, killed, stalled, mined far ahead) on `faulted`: each is restarted (a fresh
 * chain at height 0) and mined up to the highest head of `healthy`, so the next test finds the nodes
 * level. Their chains differ (three anvils are three chains that share a chain id); only heights match.
 *
 * @example
 * afterEach(() => restoreAnvils(faulted, nodes));
 */
export async function restoreAnvils(
  faulted: Iterable<AnvilNode>,
  healthy: readonly AnvilNode[],
): Promise<void> {
  const broken = new Set(faulted);
  if (broken.size === 0) return;
  await Promise.all([...broken].map((node) => node.restart()));
  const heads = await Promise.all(healthy.filter((node) => !broken.has(node)).map(headOf));
  const target = Math.max(0, ...heads);
  await Promise.all(
    [...broken].map(async (node) => {
      const behind = target - (await headOf(node));
      if (behind > 0) await node.request('anvil_mine', [behind]);
    }),
  );
}
