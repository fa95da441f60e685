// Soroban RPC under a faulty primary: what a backend's callers see through a plain `rpc.Server`
// on the primary (what users have today) and through `withFailover(server, { endpoints: [a, b, c] })`
// on a 3-node simulated cluster (switchyard-rpc/testing, real HTTP on 127.0.0.1).
//
//   npm run build && node bench/soroban.mjs            # 10 s per run, about 1.5 minutes
//   npm run build && node bench/soroban.mjs --quick    # 1.8 s per run, under 20 s
//
// Scenarios, each a fault put on the primary (node 0) 300 ms after the start of the run:
//   slow       every answer delayed 800 ms         (latencyMs: 800)
//   dead       connections refused                  (refuse: true)
//   unhealthy  getHealth answers a JSON-RPC error   (unhealthy: true; other methods still answer)
//   lagging    20 ledgers behind the cluster        (lag: 20; getHealth still says healthy)
// Both clients get the same timeline on a fresh cluster (ledgers close every second), one after
// the other, never at the same time. Every figure is taken over the calls started after the fault
// (in a closed loop the fast warm-up calls would otherwise dominate the percentiles); the whole
// run's runWorkload result is kept in the JSON (`wholeRun`). The workload is a closed loop of 8 callers, each calling
// `getLatestLedger()` again as soon as its previous call settles (failed calls included: a caller
// whose node refuses at once spins fast, as a real retry-less loop would). A stale answer is one
// more than 2 ledgers behind the cluster head at the moment it arrives. `to primary` is the share
// of the getLatestLedger requests that reached a node after the fault that reached the primary
// (hedges included; refused connections never reach it). switchyard runs with its defaults
// (probe every 1 s, lagTolerance 5) and its warnings counted, not printed.
//
// Prints one table and writes bench/results/soroban.json. Exit code 1 only if the bench broke.
import { rpc } from '@stellar/stellar-sdk';
import { withFailover } from 'switchyard-rpc/soroban';
import { SorobanCluster } from 'switchyard-rpc/testing';
import { collectingLogger } from './lib/collectingLogger.mjs';
import { benchArgs, cell, percentiles, printTable, round, writeResult } from './lib/report.mjs';
import { runWorkload } from './lib/workload.mjs';

const startedAt = performance.now();
const { quick } = benchArgs();

const CALLERS = 8;
const RUN_MS = quick ? 1800 : 10_000;
const FAULT_AT_MS = 300;
const LEDGER_INTERVAL_MS = 1000;
// An answer more than this many ledgers behind the cluster head is stale.
const STALE_LEDGERS = 2;
const SCENARIOS = [
  { name: 'slow (800 ms)', fault: { latencyMs: 800 } },
  { name: 'dead (refuse)', fault: { refuse: true } },
  { name: 'unhealthy (getHealth error)', fault: { unhealthy: true } },
  { name: 'lagging (20 ledgers)', fault: { lag: 20 } },
];
const CLIENTS = ['rpc.Server (primary only)', 'withFailover (3 nodes)'];

const runs = [];
try {
  for (const scenario of SCENARIOS) {
    for (const client of CLIENTS) runs.push(await runScenario(scenario, client));
  }
} catch (error) {
  process.stderr.write(`bench failed: ${error?.stack ?? error}\n`);
  process.exitCode = 1;
}

const title =
  `getLatestLedger(), ${CALLERS} callers in a closed loop, ${RUN_MS / 1000} s per run, fault on the primary at ` +
  `${FAULT_AT_MS} ms; figures over the calls started after the fault; stale = more than ` +
  `${STALE_LEDGERS} ledgers behind the cluster head`;
const header = [
  'primary',
  'client',
  'ok',
  'failed',
  'calls/s',
  'p50 ms',
  'p99 ms',
  'max ms',
  'stale',
  'to primary',
];
const rows = runs.map((r) => [
  r.scenario,
  r.client,
  r.ok,
  r.failed,
  cell(r.callsPerSec, 0),
  cell(r.latencyMs.p50, 1),
  cell(r.latencyMs.p99, 1),
  cell(r.latencyMs.max, 1),
  r.stale,
  r.primaryShare === undefined ? '-' : `${(r.primaryShare * 100).toFixed(0)} %`,
]);
printTable(title, header, rows);
writeResult('soroban', {
  quick,
  startedAt,
  tables: [{ title, header, rows }],
  settings: { callers: CALLERS, runMs: RUN_MS, faultAtMs: FAULT_AT_MS, ledgerIntervalMs: LEDGER_INTERVAL_MS },
  runs,
});

/** One client through one scenario, on a cluster of its own. */
async function runScenario(scenario, client) {
  const cluster = await new SorobanCluster({ nodes: 3, ledgerIntervalMs: LEDGER_INTERVAL_MS }).start();
  const [primary] = cluster.nodes;
  const warnings = [];
  const routeChanges = [];
  const plain = new rpc.Server(primary.url, { allowHttp: true });
  const server =
    client === CLIENTS[0]
      ? plain
      : withFailover(plain, {
          endpoints: cluster.nodes.map((node) => ({ url: node.url, label: node.name })),
          logger: collectingLogger(warnings),
        });
  // Route changes, in ms after the fault (negative: before it).
  const runStart = performance.now();
  server.failover?.on('route-change', (e) => {
    routeChanges.push({
      atMs: Math.round(performance.now() - runStart - FAULT_AT_MS),
      from: e.from?.label,
      to: e.to?.label,
      reason: e.reason,
    });
  });
  try {
    // Every call, so that the figures can be taken over the calls started after the fault.
    const calls = [];
    let faultAt = Number.POSITIVE_INFINITY;
    const result = await runWorkload({
      callers: CALLERS,
      durationMs: RUN_MS,
      call: async () => {
        const t0 = performance.now();
        try {
          const answer = await server.getLatestLedger();
          // The cluster head when the answer arrives.
          calls.push({ t0, ms: performance.now() - t0, ok: true, behind: cluster.head - answer.sequence });
          return answer;
        } catch (error) {
          calls.push({ t0, ms: performance.now() - t0, ok: false });
          throw error;
        }
      },
      inspect: (answer) => (cluster.head - answer.sequence > STALE_LEDGERS ? 'stale' : undefined),
      timeline: [
        {
          atMs: FAULT_AT_MS,
          run: () => {
            faultAt = performance.now();
            for (const node of cluster.nodes) node.resetStats();
            primary.setFaults(scenario.fault).catch((error) => {
              process.stderr.write(`setFaults failed: ${error}\n`);
              process.exitCode = 1;
            });
          },
        },
      ],
    });
    const arrived = cluster.nodes.map((node) => node.stats().byMethod.getLatestLedger ?? 0);
    const total = arrived.reduce((a, b) => a + b, 0);
    const after = calls.filter((c) => c.t0 >= faultAt);
    const lastEnd = Math.max(...after.map((c) => c.t0 + c.ms));
    return {
      scenario: scenario.name,
      client,
      fault: scenario.fault,
      ok: after.filter((c) => c.ok).length,
      failed: after.filter((c) => !c.ok).length,
      callsPerSec: round((after.length / (lastEnd - faultAt)) * 1000, 1),
      latencyMs: percentiles(after.map((c) => c.ms)),
      stale: after.filter((c) => c.ok && c.behind > STALE_LEDGERS).length,
      wholeRun: result,
      primaryShare: total === 0 ? undefined : arrived[0] / total,
      requestsAfterFaultByNode: arrived,
      routeChanges,
      warnings: warnings.length,
      firstWarnings: warnings.slice(0, 3),
    };
  } finally {
    await server.failover?.close();
    await cluster.close();
  }
}
