// The simulated Soroban RPC nodes of bench/scale.mjs, in a process of their own so that their CPU
// is not the CPU being measured. Forked with the node count as its argument; over IPC it sends
// `{ type: 'ready', urls }`, answers 'stats' with `{ type: 'stats', byMethod, total, openConnections }`
// (summed over every node) and closes the nodes and exits on 'stop' (or when the parent goes away).
import { SorobanCluster } from 'switchyard-rpc/testing';

const count = Number(process.argv[2]);
if (!Number.isSafeInteger(count) || count < 1) throw new Error(`node count expected, got ${process.argv[2]}`);

const cluster = await new SorobanCluster({ nodes: count, ledgerIntervalMs: 1000 }).start();

function totals() {
  const byMethod = {};
  let total = 0;
  let openConnections = 0;
  for (const node of cluster.nodes) {
    const stats = node.stats();
    total += stats.total;
    openConnections += stats.openConnections;
    for (const [method, n] of Object.entries(stats.byMethod)) byMethod[method] = (byMethod[method] ?? 0) + n;
  }
  return { byMethod, total, openConnections };
}

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await cluster.close();
  process.disconnect?.();
}

process.on('message', (message) => {
  if (message === 'stats') process.send({ type: 'stats', ...totals() });
  else if (message === 'stop') void stop();
});
process.once('disconnect', () => void stop());
process.send({ type: 'ready', urls: cluster.nodes.map((node) => node.url) });
