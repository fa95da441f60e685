// One measured client of bench/overhead.mjs, in a process of its own: the bare client's process
// never loads switchyard (on Node 20 its AsyncLocalStorage slows every promise of the process it
// runs in, so sharing a process would tax the bare runs too). Forked by overhead.mjs:
//
//   fork('bench/overheadClient.mjs', ['soroban' | 'viem', 'bare' | 'switchyard', url, chainId])
//
// Sends `{ node: process.version }` once the client exists; answers `{ run: { callers, durationMs } }` with the
// runWorkload result (its cpuUsPerCall is this process's CPU); on 'close' closes the client and
// leaves. Not meant to be run by hand.
import { runWorkload } from './lib/workload.mjs';

const [chain, kind, url, chainId] = process.argv.slice(2);
const client = chain === 'soroban' ? await sorobanClient() : await viemClient();
let closing;
const close = () => {
  closing ??= client.close();
  return closing;
};

process.on('message', async (message) => {
  if (message === 'close') {
    await close();
    process.disconnect();
    return;
  }
  if (message?.run) {
    const result = await runWorkload({ ...message.run, call: client.call });
    process.send({ result });
  }
});
process.on('disconnect', close);
process.send({ node: process.version });

async function sorobanClient() {
  const { rpc } = await import('@stellar/stellar-sdk');
  const plain = new rpc.Server(url, { allowHttp: true });
  if (kind === 'bare') return { call: () => plain.getLatestLedger(), close: async () => {} };
  const { withFailover } = await import('switchyard-rpc/soroban');
  const server = withFailover(plain);
  return { call: () => server.getLatestLedger(), close: () => server.failover.close() };
}

async function viemClient() {
  const { createPublicClient, defineChain, http } = await import('viem');
  const chain = defineChain({
    id: Number(chainId),
    name: 'switchyard simulated chain',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
  // client.request, not client.getBlockNumber(): that one shares one request among concurrent callers.
  const BLOCK_NUMBER = { method: 'eth_blockNumber' };
  if (kind === 'bare') {
    const bare = createPublicClient({ chain, transport: http(url) });
    return { call: () => bare.request(BLOCK_NUMBER), close: async () => {} };
  }
  const { failover } = await import('switchyard-rpc/viem');
  const transport = failover([http(url)]);
  const client = createPublicClient({ chain, transport });
  return { call: () => client.request(BLOCK_NUMBER), close: () => transport.failover.close() };
}
