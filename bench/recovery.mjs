// Time to recover, measured on the traffic itself (requests the client sends or a node receives),
// not on the failover's own view of its route:
//   (a) back:  the primary refuses connections for a while, then listens again: how long until it
//              carries traffic again (first request, then most of the traffic).
//   (b) dead:  the primary starts refusing connections (and, separately, blackholes: it reads
//              requests and never answers): how long until no request is sent to it any more.
//
//   npm run build && node bench/recovery.mjs            # library default intervals, about 2 minutes
//   npm run build && node bench/recovery.mjs --quick    # short windows, under 20 s
//
// Clients, each on a 3-node simulated cluster of its own (switchyard-rpc/testing, real HTTP on
// 127.0.0.1), node 0 being the primary and the two backups answering 5 ms later (your own node is
// the nearest; without it rank orders equal nodes by noise and may not use the primary at all):
//   Soroban  `rpc.Server` on the primary (what users have today), and `withFailover` with the
//            primary at priority 0 and the two others at priority 1 (your node, then backups).
//   viem     `fallback([a, b, c])` (each request starts at the first), `fallback([a, b, c],
//            { rank: true })` (re-ranked every `pollingInterval`, 4 s by default, on 10 samples),
//            and `failover([a, b, c])` with the same priorities as withFailover.
// switchyard uses its default probe interval (1 s) in every run; viem's rank uses its default
// interval (the client's pollingInterval, 4 s) in the full run, 1 s with --quick (labelled in the
// tables; its other settings stay default). Two changes to rank, both forced by the bench: it pings
// with `eth_blockNumber` instead of `net_listening`, which the simulated node does not answer (every
// ping would fail and rank would keep the listed order), and the ping hangs for good once the run is
// over, because rank's timer can be stopped no other way and would keep the process alive.
//
// The workload: 4 callers per client, each calling getLatestLedger() / getBalance() and pausing
// 40 ms between calls (~90 calls/s): light, so that the 5 clients of a scenario can run at the same
// time without loading the machine. Requests sent to the primary are seen on the client side (an
// axios interceptor on the primary's rpc.Server, a fetchFn around the primary's viem http
// transport), since a refused connection never reaches the node; requests arriving at the nodes are
// seen by the simulator (`onRequest`). Only the workload's method is counted, not probes or pings.
// "still at end": a request was sent to the primary in the last 250 ms of the window, or one was
// still waiting on it when the window closed. "stuck at end": calls unanswered for more than 1 s
// when the window closed (they are then cut off by closing the primary, or they would hang on).
// "failed", "p99" and "max" are over the calls started after the fault and answered in the window.
//
// Prints two tables and writes bench/results/recovery.json. Exit code 1 only if the bench broke.
import { setTimeout as sleep } from 'node:timers/promises';
import { rpc } from '@stellar/stellar-sdk';
import { withFailover } from 'switchyard-rpc/soroban';
import { SorobanCluster } from 'switchyard-rpc/testing';
import { EvmCluster } from 'switchyard-rpc/testing/viem';
import { failover } from 'switchyard-rpc/viem';
import { createPublicClient, defineChain, fallback, http } from 'viem';
import { collectingLogger } from './lib/collectingLogger.mjs';
import { benchArgs, cell, percentiles, printTable, writeResult } from './lib/report.mjs';
import { runWorkload } from './lib/workload.mjs';

const startedAt = performance.now();
const { quick } = benchArgs();

const CALLERS = 4;
const THINK_MS = 40;
const TIMING = quick
  ? { warmupMs: 500, outageMs: 1000, backWindowMs: 5000, deadWindowMs: 3000, rankIntervalMs: 1000 }
  : { warmupMs: 1000, outageMs: 5000, backWindowMs: 45_000, deadWindowMs: 20_000, rankIntervalMs: undefined };
// Default of viem's rank interval: the client's pollingInterval.
const VIEM_POLLING_INTERVAL_MS = 4000;
const SWITCHYARD_PROBE_MS = 1000;
// "Carries traffic again": at least this share of the workload's arrivals within SHARE_WINDOW_MS.
const MAJORITY = 0.5;
const SHARE_WINDOW_MS = 500;
// A request sent to the primary this close to the end of the window: it has not stopped (the
// workload sends ~90 requests/s, so a client still using the primary sends several in that time).
const STILL_MS = 250;
// A call still unanswered at the end of the window after this long is stuck (on a blackholed node).
const STUCK_MS = 1000;
const ADDRESS = '0x00000000000000000000000000000000000000aa';
// The backups answer this much later than the primary (your own node is the nearest), so that every
// client, rank included, starts with its traffic on the primary.
const BACKUP_LATENCY_MS = 5;

const rankInterval = TIMING.rankIntervalMs ?? VIEM_POLLING_INTERVAL_MS;
const CLIENTS = [
  { chain: 'soroban', kind: 'plain', name: 'Soroban rpc.Server', interval: '-' },
  {
    chain: 'soroban',
    kind: 'switchyard',
    name: 'Soroban withFailover',
    interval: `probe ${SWITCHYARD_PROBE_MS} ms`,
  },
  { chain: 'evm', kind: 'fallback', name: 'viem fallback', interval: '-' },
  {
    chain: 'evm',
    kind: 'rank',
    name: 'viem fallback rank',
    interval: `rank ${rankInterval} ms${TIMING.rankIntervalMs ? ' (quick)' : ''}`,
  },
  { chain: 'evm', kind: 'switchyard', name: 'viem failover', interval: `probe ${SWITCHYARD_PROBE_MS} ms` },
];
const SCENARIOS = [
  { id: 'back', fault: { refuse: true }, restore: true },
  { id: 'refuse', fault: { refuse: true } },
  { id: 'blackhole', fault: { blackhole: true }, cutAtEnd: true },
];

// Rank pings hang once this is set (see the header).
let rankStopped = false;
const runs = [];
try {
  for (const scenario of SCENARIOS) {
    // The clients of one scenario run side by side, each on its own cluster.
    runs.push(...(await Promise.all(CLIENTS.map((spec) => runClient(scenario, spec)))));
  }
} catch (error) {
  process.stderr.write(`bench failed: ${error?.stack ?? error}\n`);
  process.exitCode = 1;
} finally {
  rankStopped = true;
}

const ms = (value) => (value === undefined ? '-' : Math.round(value));
const pct = (value) => (value === undefined ? '-' : `${Math.round(value * 100)} %`);

const backTitle =
  `(a) primary refuses for ${TIMING.outageMs / 1000} s, then listens again; ${TIMING.backWindowMs / 1000} s ` +
  `watched after; times in ms after it listens again; "most traffic" = ≥ ${MAJORITY * 100} % of ` +
  `the arrivals over ${SHARE_WINDOW_MS} ms`;
const backHeader = [
  'client',
  'interval',
  'failed in outage',
  'first request',
  'most traffic',
  `share, last ${lastShareMs() / 1000} s`,
];
const backRows = runs
  .filter((r) => r.scenario === 'back')
  .map((r) => [
    r.client,
    r.interval,
    r.failedInOutage,
    ms(r.firstRequestMs) === '-' ? `> ${TIMING.backWindowMs}` : ms(r.firstRequestMs),
    r.mostTrafficMs === undefined ? `> ${TIMING.backWindowMs}` : ms(r.mostTrafficMs),
    pct(r.shareAtEnd),
  ]);
printTable(backTitle, backHeader, backRows);

const deadTitle =
  `(b) primary dies (refuse / blackhole), ${TIMING.deadWindowMs / 1000} s watched; times in ms after the fault; ` +
  `last request = the last one sent to the primary`;
const deadHeader = [
  'fault',
  'client',
  'interval',
  'share before',
  'sent after fault',
  'last request',
  'route moved',
  'failed',
  'p99 ms',
  'max ms',
  'stuck at end',
];
const deadRows = runs
  .filter((r) => r.scenario !== 'back')
  .map((r) => [
    r.scenario,
    r.client,
    r.interval,
    pct(r.shareBefore),
    r.sentAfterFault,
    r.stillAtEnd ? 'still at end' : ms(r.lastSentMs) === '-' ? 'none' : ms(r.lastSentMs),
    ms(r.routeMovedMs),
    r.failedAfterFault,
    cell(r.latencyAfterFault.p99, 0),
    cell(r.latencyAfterFault.max, 0),
    r.stuckAtEnd,
  ]);
printTable(deadTitle, deadHeader, deadRows);

writeResult('recovery', {
  quick,
  startedAt,
  tables: [
    { title: backTitle, header: backHeader, rows: backRows },
    { title: deadTitle, header: deadHeader, rows: deadRows },
  ],
  settings: {
    callers: CALLERS,
    thinkMs: THINK_MS,
    ...TIMING,
    rankIntervalMs: rankInterval,
    switchyardProbeMs: SWITCHYARD_PROBE_MS,
  },
  runs,
});

function lastShareMs() {
  return Math.min(2000, TIMING.backWindowMs / 2);
}

/** One client through one scenario, on a cluster of its own. */
async function runClient(scenario, spec) {
  const soroban = spec.chain === 'soroban';
  const nodes = ['node-0', 'node-1', 'node-2'].map((name, i) => ({
    name,
    faults: i === 0 ? {} : { latencyMs: BACKUP_LATENCY_MS },
  }));
  const cluster = soroban
    ? await new SorobanCluster({ nodes, ledgerIntervalMs: 1000 }).start()
    : await new EvmCluster({ nodes, blockIntervalMs: 1000 }).start();
  const [primary] = cluster.nodes;
  const method = soroban ? 'getLatestLedger' : 'eth_getBalance';
  // Everything seen, in performance.now() ms.
  const seen = { sent: [], pending: 0, arrived: cluster.nodes.map(() => []), calls: [], routeChanges: [] };
  const offs = cluster.nodes.map((node, i) =>
    node.onRequest((info) => {
      if (info.method === method) seen.arrived[i].push(performance.now());
    }),
  );
  const warnings = [];
  const client = soroban
    ? sorobanClient(spec, cluster, seen, warnings)
    : evmClient(spec, cluster, seen, warnings);
  const { warmupMs, outageMs } = TIMING;
  const windowMs = scenario.restore
    ? warmupMs + outageMs + TIMING.backWindowMs
    : warmupMs + TIMING.deadWindowMs;
  const marks = {};
  const timeline = [
    {
      atMs: warmupMs,
      run: () => {
        marks.fault = performance.now();
        primary.setFaults(scenario.fault).catch(fail);
      },
    },
    {
      atMs: windowMs,
      run: () => {
        marks.pendingAtEnd = seen.pending;
        if (scenario.cutAtEnd) primary.setFaults({ refuse: true }).catch(fail);
      },
    },
  ];
  if (scenario.restore) {
    timeline.push({
      atMs: warmupMs + outageMs,
      run: () => {
        primary
          .clearFaults()
          .then(() => {
            marks.restore = performance.now();
          })
          .catch(fail);
      },
    });
  }
  const start = performance.now();
  try {
    await runWorkload({
      callers: CALLERS,
      durationMs: windowMs,
      timeline,
      call: async () => {
        const t0 = performance.now();
        try {
          const answer = await client.call();
          seen.calls.push({ t0, t1: performance.now(), ok: true });
          return answer;
        } catch (error) {
          seen.calls.push({ t0, t1: performance.now(), ok: false, error: error?.name });
          throw error;
        } finally {
          await sleep(THINK_MS);
        }
      },
    });
  } finally {
    await client.close();
    for (const off of offs) off();
    await cluster.close();
  }
  return summarise(scenario, spec, seen, { ...marks, start, end: start + windowMs }, warnings);
}

/** The figures of one run, from what was seen. */
function summarise(scenario, spec, seen, marks, warnings) {
  const base = {
    scenario: scenario.id,
    client: spec.name,
    interval: spec.interval,
    warnings: warnings.length,
    firstWarnings: warnings.slice(0, 3),
    routeChanges: seen.routeChanges.map((e) => ({
      ...e,
      atMs: Math.round(e.at - marks.fault),
      at: undefined,
    })),
  };
  const arrivalsIn = (from, to) =>
    seen.arrived.map((times) => times.filter((t) => t >= from && t < to).length);
  const share = (counts) => {
    const total = counts.reduce((a, b) => a + b, 0);
    return total === 0 ? undefined : counts[0] / total;
  };
  if (scenario.restore) {
    const back = marks.restore;
    const first = seen.arrived[0].find((t) => t >= back);
    const most = seen.arrived[0].find(
      (t) =>
        t >= back &&
        t + SHARE_WINDOW_MS <= marks.end &&
        share(arrivalsIn(t, t + SHARE_WINDOW_MS)) >= MAJORITY,
    );
    const routeBack = seen.routeChanges.find((e) => e.at >= back && e.to === 'node-0');
    return {
      ...base,
      failedInOutage: seen.calls.filter((c) => c.t0 >= marks.fault && c.t0 < back && !c.ok).length,
      callsInOutage: seen.calls.filter((c) => c.t0 >= marks.fault && c.t0 < back).length,
      firstRequestMs: first === undefined ? undefined : first - back,
      mostTrafficMs: most === undefined ? undefined : most - back,
      routeBackMs: routeBack === undefined ? undefined : Math.round(routeBack.at - back),
      shareAtEnd: share(arrivalsIn(marks.end - lastShareMs(), marks.end)),
    };
  }
  const after = seen.calls.filter((c) => c.t0 >= marks.fault && c.t1 <= marks.end);
  const sentAfter = seen.sent.filter((t) => t >= marks.fault && t < marks.end);
  const lastSent = sentAfter.at(-1);
  const moved = seen.routeChanges.find((e) => e.at >= marks.fault && e.from === 'node-0');
  return {
    ...base,
    shareBefore: share(arrivalsIn(marks.start, marks.fault)),
    sentAfterFault: sentAfter.length,
    lastSentMs: lastSent === undefined ? undefined : lastSent - marks.fault,
    stillAtEnd: marks.pendingAtEnd > 0 || (lastSent !== undefined && lastSent > marks.end - STILL_MS),
    pendingAtEnd: marks.pendingAtEnd ?? 0,
    routeMovedMs: moved === undefined ? undefined : moved.at - marks.fault,
    failedAfterFault: after.filter((c) => !c.ok).length,
    callsAfterFault: after.length,
    latencyAfterFault: percentiles(after.map((c) => c.t1 - c.t0)),
    stuckAtEnd: seen.calls.filter((c) => c.t0 < marks.end - STUCK_MS && c.t1 > marks.end).length,
    arrivedAtPrimaryAfterFault: seen.arrived[0].filter((t) => t >= marks.fault && t < marks.end).length,
  };
}

/** The Soroban client, with an axios interceptor counting getLatestLedger requests sent to the primary. */
function sorobanClient(spec, cluster, seen, warnings) {
  const primary = new rpc.Server(cluster.nodes[0].url, { allowHttp: true });
  const tracked = new WeakSet();
  primary.httpClient.interceptors.request.use((config) => {
    if (config.data?.method === 'getLatestLedger') {
      seen.sent.push(performance.now());
      seen.pending += 1;
      tracked.add(config);
    }
    return config;
  });
  const settled = (config) => {
    if (config && tracked.delete(config)) seen.pending -= 1;
  };
  primary.httpClient.interceptors.response.use(
    (response) => {
      settled(response.config);
      return response;
    },
    (error) => {
      settled(error?.config);
      throw error;
    },
  );
  if (spec.kind === 'plain') return { call: () => primary.getLatestLedger(), close: async () => {} };
  const server = withFailover(primary, {
    endpoints: cluster.nodes.map((node, i) => ({
      url: node.url,
      label: node.name,
      priority: i === 0 ? 0 : 1,
    })),
    logger: collectingLogger(warnings),
  });
  noteRouteChanges(server.failover, seen);
  return { call: () => server.getLatestLedger(), close: () => server.failover.close() };
}

/** The viem client, with a fetchFn counting eth_getBalance requests sent to the primary. */
function evmClient(spec, cluster, seen, warnings) {
  const chain = defineChain({
    id: cluster.chainId,
    name: 'switchyard simulated chain',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: cluster.nodes.map((node) => node.url) } },
  });
  const fetchFn = async (url, init) => {
    if (typeof init?.body !== 'string' || !init.body.includes('"eth_getBalance"')) return fetch(url, init);
    seen.sent.push(performance.now());
    seen.pending += 1;
    try {
      return await fetch(url, init);
    } finally {
      seen.pending -= 1;
    }
  };
  const transports = cluster.nodes.map((node, i) => http(node.url, i === 0 ? { fetchFn } : {}));
  let transport;
  let close = async () => {};
  if (spec.kind === 'fallback') transport = fallback(transports);
  else if (spec.kind === 'rank') {
    transport = fallback(transports, {
      rank: {
        interval: TIMING.rankIntervalMs,
        ping: ({ transport: t }) =>
          rankStopped ? new Promise(() => {}) : t.request({ method: 'eth_blockNumber' }),
      },
    });
  } else {
    transport = failover(transports, {
      endpoints: cluster.nodes.map((node, i) => ({ label: node.name, priority: i === 0 ? 0 : 1 })),
      logger: collectingLogger(warnings),
    });
    noteRouteChanges(transport.failover, seen);
    close = () => transport.failover.close();
  }
  const client = createPublicClient({ chain, transport });
  return { call: () => client.getBalance({ address: ADDRESS }), close };
}

function noteRouteChanges(control, seen) {
  control.on('route-change', (e) => {
    seen.routeChanges.push({ at: performance.now(), from: e.from?.label, to: e.to?.label, reason: e.reason });
  });
}

function fail(error) {
  process.stderr.write(`fault knob failed: ${error?.stack ?? error}\n`);
  process.exitCode = 1;
}
