// The simulated node of bench/overhead.mjs, in a process of its own so that the measured process
// runs only the client. Forked by overhead.mjs (not meant to be run by hand):
//
//   fork('bench/overheadNode.mjs', ['soroban' | 'evm'])
//
// Starts a one-node SorobanCluster or EvmCluster (switchyard-rpc/testing, no faults), then sends
// `{ url }` over IPC. Answers the message 'cpu' with `{ cpu: process.cpuUsage() }` (so the parent
// can tell whether the node was the bottleneck) and closes the cluster and exits when the parent
// sends 'close' or goes away.
const chain = process.argv[2];
const cluster =
  chain === 'soroban'
    ? await new (await import('switchyard-rpc/testing')).SorobanCluster({
        nodes: 1,
        ledgerIntervalMs: 1000,
      }).start()
    : chain === 'evm'
      ? await new (await import('switchyard-rpc/testing/viem')).EvmCluster({
          nodes: 1,
          blockIntervalMs: 1000,
        }).start()
      : undefined;
if (!cluster) {
  process.stderr.write(`overheadNode: unknown chain ${chain} (soroban or evm)\n`);
  process.exit(2);
}

let closing;
const close = () => {
  closing ??= cluster.close().then(() => process.disconnect?.());
  return closing;
};
process.on('message', (message) => {
  if (message === 'cpu') process.send({ cpu: process.cpuUsage() });
  if (message === 'close') close();
});
process.on('disconnect', close);
process.send({ url: cluster.nodes[0].url, chainId: cluster.chainId });
