// Batching through failover: 100 concurrent `eth_getBalance` calls from one viem client, with the
// inner transport batching (`http(url, { batch: true })`), healthy nodes on 127.0.0.1:
//   bare http, batched      createPublicClient({ transport: http(a, { batch: true }) })
//   failover, 1 endpoint    failover([http(a, { batch: true })]), defaults
//   failover, 2 endpoints   failover([http(a, { batch: true }), http(b, { batch: true })]), defaults:
//                           both healthy, the calls are spread over both: one request per endpoint
// For each: HTTP requests that carried an `eth_getBalance` (counted by the transport's `fetchFn`, so
// probes are left out) and the wall time until the last of the 100 answers.
// Then the primary turns slow (SLOW_MS before every answer) and a second table, "primary slow: hedged
// batch", gives the same for
//   bare http, batched      the same bare client: it has no second node, it waits
//   failover, hedged        failover([http(a, { batch: true }), http(b, { batch: true })]), a preferred
//                           (priority 0), a new one each round, made while a was fast: the round is
//                           its first batch since a turned slow, so every read hedges to b (later
//                           batches go to b at once); b's requests are counted apart
//
//   npm run build && node bench/evmBatch.mjs            # 40 rounds per client (10 slow ones), ~20 s
//   npm run build && node bench/evmBatch.mjs --quick    # 10 rounds per client (3 slow ones)
//
// Both clients live in this process with the 2-node cluster (the node's work is the same for both);
// rounds alternate (A B B A ...) after a warm-up, and the table gives medians over the rounds.
// Prints one table and writes bench/results/evmBatch.json. Exit code 1 only if the bench broke.

import { EvmCluster } from 'switchyard-rpc/testing/viem';
import { failover } from 'switchyard-rpc/viem';
import { createPublicClient, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { benchArgs, cell, percentiles, printTable, writeResult } from './lib/report.mjs';

const startedAt = performance.now();
const { quick } = benchArgs();

const ROUNDS = quick ? 10 : 40;
const WARMUP_ROUNDS = 5;
const CONCURRENT_CALLS = 100;
const SLOW_ROUNDS = quick ? 3 : 10;
/** Far above the hedge delay (50..500 ms by default): every read of a round hedges. */
const SLOW_MS = 1000;
const ADDRESS = privateKeyToAccount(
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
).address;

const cluster = await new EvmCluster({ nodes: 2, blockIntervalMs: 1000 }).start();
const [a, b] = cluster.nodes.map((node) => node.url);
const chain = {
  id: cluster.chainId,
  name: 'switchyard simulated chain',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: [a] } },
};

/** An http transport that batches and counts the HTTP requests that carry the measured calls. */
function countingHttp(url, counter) {
  return http(url, {
    batch: true,
    fetchFn: (input, init) => {
      if (String(init?.body).includes('eth_getBalance')) counter.requests++;
      return fetch(input, init);
    },
  });
}

const counters = {
  bare: { requests: 0 },
  one: { requests: 0 },
  two: { requests: 0 },
  toSlow: { requests: 0 },
  toSecond: { requests: 0 },
};
const transports = [
  failover([countingHttp(a, counters.one)]),
  failover([countingHttp(a, counters.two), countingHttp(b, counters.two)]),
];
const clients = {
  'bare http, batched': {
    client: createPublicClient({ chain, transport: countingHttp(a, counters.bare) }),
    counter: counters.bare,
  },
  'failover, 1 endpoint': {
    client: createPublicClient({ chain, transport: transports[0] }),
    counter: counters.one,
  },
  'failover, 2 endpoints': {
    client: createPublicClient({ chain, transport: transports[1] }),
    counter: counters.two,
  },
};

const slowRounds = {
  'bare http, batched': async () => {
    await cluster.nodes[0].setFaults({ latencyMs: SLOW_MS });
    return { ...(await measureRound(clients['bare http, batched'])), second: 0 };
  },
  'failover, hedged': async () => {
    await cluster.nodes[0].clearFaults();
    const transport = failover([countingHttp(a, counters.toSlow), countingHttp(b, counters.toSecond)], {
      endpoints: [{ priority: 0 }, { priority: 1 }],
    });
    try {
      while (!transport.failover.status().endpoints.every((e) => e.state === 'healthy')) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await cluster.nodes[0].setFaults({ latencyMs: SLOW_MS });
      const secondBefore = counters.toSecond.requests;
      const client = createPublicClient({ chain, transport });
      const round = await measureRound({ client, counter: counters.toSlow });
      return { ...round, second: counters.toSecond.requests - secondBefore };
    } finally {
      await transport.failover.close();
    }
  },
};

const samples = Object.fromEntries(Object.keys(clients).map((name) => [name, { requests: [], ms: [] }]));
const slowSamples = Object.fromEntries(
  Object.keys(slowRounds).map((name) => [name, { requests: [], second: [], ms: [] }]),
);
let failed = 0;
try {
  const names = Object.keys(clients);
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    // A B C, then C B A: no client always goes first.
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const { requests, ms } = await measureRound(clients[name]);
      if (round < WARMUP_ROUNDS) continue;
      samples[name].requests.push(requests);
      samples[name].ms.push(ms);
    }
  }
  const slowNames = Object.keys(slowRounds);
  for (let round = 0; round < SLOW_ROUNDS; round++) {
    for (const name of round % 2 === 0 ? slowNames : [...slowNames].reverse()) {
      const { requests, second, ms } = await slowRounds[name]();
      slowSamples[name].requests.push(requests);
      slowSamples[name].second.push(second);
      slowSamples[name].ms.push(ms);
    }
  }
} catch (error) {
  process.stderr.write(`bench failed: ${error?.stack ?? error}\n`);
  process.exitCode = 1;
} finally {
  await Promise.all(transports.map((transport) => transport.failover.close()));
  await cluster.close();
}

async function measureRound({ client, counter }) {
  const before = counter.requests;
  const t0 = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: CONCURRENT_CALLS }, () => client.getBalance({ address: ADDRESS })),
  );
  const ms = performance.now() - t0;
  failed += results.filter((r) => r.status === 'rejected').length;
  return { requests: counter.requests - before, ms };
}

const title = `${CONCURRENT_CALLS} concurrent eth_getBalance, inner http({ batch: true }) (${ROUNDS} alternated rounds, medians)`;
const header = ['client', 'HTTP requests', 'max HTTP requests', 'ms to the last answer', 'p99 ms'];
const rows = Object.entries(samples).map(([name, { requests, ms }]) => {
  const r = percentiles(requests);
  const t = percentiles(ms);
  return [name, cell(r.p50, 0), cell(r.max, 0), cell(t.p50, 2), cell(t.p99, 2)];
});
printTable(title, header, rows);
const slowTitle = `primary slow (${SLOW_MS} ms an answer): hedged batch, ${CONCURRENT_CALLS} concurrent eth_getBalance (${SLOW_ROUNDS} alternated rounds, medians)`;
const slowHeader = [
  'client',
  'HTTP requests to the slow node',
  'to the second node',
  'max to the second',
  'ms to the last answer',
];
const slowRows = Object.entries(slowSamples).map(([name, { requests, second, ms }]) => [
  name,
  cell(percentiles(requests).p50, 0),
  cell(percentiles(second).p50, 0),
  cell(percentiles(second).max, 0),
  cell(percentiles(ms).p50, 2),
]);
printTable(slowTitle, slowHeader, slowRows);
if (failed > 0) {
  process.stderr.write(`${failed} calls failed\n`);
  process.exitCode = 1;
}
writeResult('evmBatch', {
  quick,
  startedAt,
  failed,
  tables: [
    { title, header, rows },
    { title: slowTitle, header: slowHeader, rows: slowRows },
  ],
});
