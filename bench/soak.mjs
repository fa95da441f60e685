// Soak: the three adapters under random faults for minutes, watching for failed calls and leaks.
//
//   npm run soak -- --minutes 10    # reported every minute
//   npm run soak -- --seconds 60    # what .ci/run does; reported every 10 s
//
// One process holds three simulated clusters of 3 nodes (switchyard-rpc/testing, /testing/viem,
// /testing/beacon: real HTTP and SSE on 127.0.0.1) and the clients a user builds on them: withFailover
// around a real rpc.Server, a viem client on failover([http, http, http]), createBeaconHeadMonitor. Each
// client has 8 callers in closed loops (bench/lib/workload.mjs): Soroban and EVM callers make read calls
// in turn; a beacon caller takes the next head from its own iterator of the monitor, and fails when none
// comes while the cluster moves 3 slots on, or when it skipped a slot.
//
// Faults: every node alternates healthy spells (2–8 s) with faults (2–10 s) drawn at random from its
// simulator's knobs. A node turns faulty only while another node of its cluster has been healthy for
// SETTLE_MS (the client has had time to see it), so each cluster always has a healthy node, and every
// failed call counts. Restarts: a closed simulator cannot listen again on its port, so a restart is the
// `refuse` knob held 0.5–3 s (listener closed, every connection and stream destroyed, then listening
// again on the same port); a beacon node then reports syncing (503) for two slots, as a restarted one does.
//
// Phases, once every endpoint is healthy and the monitor has a head: warm-up (no faults), the faulty
// run, then SETTLE_MS with the faults cleared. At each report: calls and failures, RSS and heap (after
// a forced GC: run with --expose-gc), active handles (process.getActiveResourcesInfo()), event-loop
// delay p99 and unhandled rejections; the first error of each kind is kept for the end. Writes
// bench/results/soak.json. Exit code 1 when a criterion fails: a failed call; heap growth of 10 % or
// more from the first minute of faults (half-way through a shorter run) to the end; an unhandled
// rejection; more handles once the faults are cleared than after the warm-up (beyond HANDLE_SLACK:
// pooled sockets come and go with the load); anything still keeping the process alive after every
// client and cluster has closed.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { getHeapSpaceStatistics } from 'node:v8';
import { rpc } from '@stellar/stellar-sdk';
import { createBeaconHeadMonitor } from 'switchyard-rpc/beacon';
import { withFailover } from 'switchyard-rpc/soroban';
import { SorobanCluster } from 'switchyard-rpc/testing';
import { BeaconCluster } from 'switchyard-rpc/testing/beacon';
import { EvmCluster } from 'switchyard-rpc/testing/viem';
import { failover } from 'switchyard-rpc/viem';
import { createPublicClient, defineChain, http } from 'viem';
import { collectingLogger } from './lib/collectingLogger.mjs';
import { benchArgs, printTable, round, writeResult } from './lib/report.mjs';
import { runWorkload } from './lib/workload.mjs';

const startedAt = performance.now();
const args = benchArgs({ minutes: { type: 'string' }, seconds: { type: 'string' } });
const RUN_MS = 1000 * (args.seconds !== undefined ? Number(args.seconds) : 60 * Number(args.minutes ?? 10));
if (!(RUN_MS > 0)) throw new Error('--minutes / --seconds must be a positive number');
if (typeof globalThis.gc !== 'function') throw new Error('run node with --expose-gc (npm run soak does)');

const CALLERS = 8;
// One report a minute; six in a shorter run, so that there is a trend to read.
const REPORT_MS = Math.min(60_000, RUN_MS / 6);
const WARMUP_MS = 5000;
// How long a node stays healthy before another may turn faulty: a few probe intervals (1 s by default).
const SETTLE_MS = 5000;
const SLOT_MS = 500;
const HANDLE_SLACK = { ratio: 1.25, plus: 10 };
const HEAP_GROWTH_LIMIT = 0.1;

const between = (min, max) => min + Math.random() * (max - min);
const pick = (list) => list[Math.floor(Math.random() * list.length)];
/** Waits `ms`, or less once `signal` aborts; never rejects. */
const pause = (ms, signal) => sleep(ms, undefined, { signal }).catch(() => {});

/** A fault that sets `knobs` for the fault's duration. */
const knob = (name, knobs) => ({
  name,
  run: (node, ms, signal) => node.setFaults(knobs).then(() => pause(ms, signal)),
});
const FAULTS_ON_EVERY_NODE = [
  knob('slow', { latencyMs: 800 }),
  knob('blackhole', { blackhole: true }),
  knob('refuse', { refuse: true }),
  knob('errors', { errorRate: 0.5 }),
  knob('rate-limited', { rateLimitRate: 0.5 }),
  knob('garbage', { garbage: true }),
  knob('lagging', { lag: 20 }),
  {
    name: 'flapping',
    run: async (node, ms, signal) => {
      const until = performance.now() + ms;
      for (let refuse = true; performance.now() < until && !signal.aborted; refuse = !refuse) {
        await node.setFaults({ refuse });
        await pause(1500, signal);
      }
    },
  },
];
/** Down for 0.5–3 s, then up on the same port; `syncingMs`: then syncing (503) that long. */
const restart = (syncingMs = 0) => ({
  name: 'restart',
  run: async (node, _ms, signal) => {
    await node.setFaults({ refuse: true });
    await pause(between(500, 3000), signal);
    if (syncingMs > 0) {
      await node.setFaults({ refuse: false, unavailable: true });
      await pause(syncingMs, signal);
    }
  },
});
const FAULTS = {
  soroban: [
    ...FAULTS_ON_EVERY_NODE,
    restart(),
    knob('unhealthy', { unhealthy: true }),
    knob('stalled', { stalled: true }),
  ],
  evm: [
    ...FAULTS_ON_EVERY_NODE,
    restart(),
    knob('stalled', { stalled: true }),
    knob('syncing', { lag: 20, reportSyncing: true }),
    knob('wrong chain', { wrongChainId: 1 }),
  ],
  beacon: [
    ...FAULTS_ON_EVERY_NODE,
    restart(2 * SLOT_MS),
    knob('unavailable', { unavailable: true }),
    knob('stalled streams', { stallStreams: true }),
    knob('optimistic', { optimistic: true }),
    knob('el offline', { elOffline: true }),
    { name: 'streams dropped', run: async (node) => node.dropStreams() },
    {
      name: 'malformed event',
      run: async (node) => node.sendMalformed(pick(['json', 'unexpected-event', 'missing-fields'])),
    },
  ],
};

/**
 * Random faults on the nodes of one cluster until `stop()`, which clears them and resolves when every
 * node is healthy again. Counts the faults by name.
 */
function chaos(nodes, faults) {
  const controller = new AbortController();
  const { signal } = controller;
  const healthySince = nodes.map(() => performance.now());
  const counts = {};
  const settledOther = (i) =>
    healthySince.some((since, j) => j !== i && since !== undefined && performance.now() - since >= SETTLE_MS);
  const loop = async (node, i) => {
    while (!signal.aborted) {
      await pause(between(2000, 8000), signal);
      if (signal.aborted || !settledOther(i)) continue;
      const fault = pick(faults);
      counts[fault.name] = (counts[fault.name] ?? 0) + 1;
      healthySince[i] = undefined;
      try {
        await fault.run(node, between(2000, 10_000), signal);
      } finally {
        await node.clearFaults();
        healthySince[i] = performance.now();
      }
    }
  };
  const loops = Promise.all(nodes.map(loop));
  return {
    counts,
    stop: () => {
      controller.abort();
      return loops;
    },
  };
}

/** A logger that counts warnings and errors and keeps the last one (a soak must not grow a list). */
function countingLogger() {
  const seen = { count: 0, last: undefined };
  const logger = collectingLogger({
    push: (line) => {
      seen.count++;
      seen.last = line;
    },
  });
  return { logger, seen };
}

/** The three clients, each with its `call(caller)`, its cluster, its faults and its logger's counts. */
async function startClients() {
  const [soroban, evm, beacon] = await Promise.all([
    new SorobanCluster({ nodes: 3, ledgerIntervalMs: 1000 }).start(),
    new EvmCluster({ nodes: 3, blockIntervalMs: 1000 }).start(),
    new BeaconCluster({ nodes: 3, slotMs: SLOT_MS, keepAliveMs: 200 }).start(),
  ]);
  const logs = { soroban: countingLogger(), evm: countingLogger(), beacon: countingLogger() };

  const server = withFailover(new rpc.Server(soroban.nodes[0].url, { allowHttp: true }), {
    endpoints: soroban.nodes.map((node) => node.url),
    logger: logs.soroban.logger,
  });
  const sorobanCalls = [
    () => server.getLatestLedger(),
    () => server.getFeeStats(),
    () => server.getNetwork(),
  ];

  const transport = failover(
    evm.nodes.map((node) => http(node.url)),
    { logger: logs.evm.logger },
  );
  // The chain makes failover check each node's chain id (the 'wrong chain' fault).
  const chain = defineChain({
    id: evm.chainId,
    name: 'Simulated',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [evm.nodes[0].url] } },
  });
  const client = createPublicClient({ chain, transport, cacheTime: 0 });
  const address = '0x000000000000000000000000000000000000dEaD';
  const evmCalls = [
    () => client.getBlockNumber(),
    () => client.getBlock(),
    () => client.getBalance({ address }),
  ];

  const monitor = createBeaconHeadMonitor({ candidates: beacon.urls, logger: logs.beacon.logger });
  const turns = new Array(CALLERS).fill(0);
  const inTurn = (calls) => (caller) => calls[turns[caller]++ % calls.length]();
  return {
    clients: [
      { name: 'soroban', cluster: soroban, call: inTurn(sorobanCalls) },
      { name: 'evm', cluster: evm, call: inTurn(evmCalls) },
      { name: 'beacon', cluster: beacon, call: headCalls(monitor, beacon) },
    ].map((c) => {
      const firstErrors = {};
      return {
        ...c,
        call: keepingFirstErrors(c.call, firstErrors),
        firstErrors,
        faults: FAULTS[c.name],
        log: logs[c.name].seen,
      };
    }),
    /** Every endpoint probed healthy, every stream open, a first head delivered. */
    ready: () =>
      [server.failover, transport.failover].every((f) =>
        f.status().endpoints.every((e) => e.state === 'healthy'),
      ) &&
      monitor.latest() !== undefined &&
      monitor.status().streams.every((stream) => stream.connected),
    close: async () => {
      await Promise.all([server.failover.close(), transport.failover.close(), monitor.close()]);
      await Promise.all([soroban.close(), evm.close(), beacon.close()]);
    },
  };
}

/** `call`, keeping the first error of each name, with its causes, in `firstErrors`: what failed, and why. */
function keepingFirstErrors(call, firstErrors) {
  return async (caller) => {
    try {
      return await call(caller);
    } catch (error) {
      const chain = [];
      for (let e = error; e && chain.length < 4; e = e.cause) chain.push(`${e.name}: ${e.message}`);
      firstErrors[error?.name ?? 'Error'] ??= chain.join(' <- ').slice(0, 1500);
      // A call that fails without I/O (every endpoint down) would otherwise let a closed loop spin on
      // microtasks and starve the probes that bring endpoints back; a real caller yields to I/O.
      await new Promise(setImmediate);
      throw error;
    }
  };
}

/**
 * A caller's "call" on the beacon monitor: the next head from the caller's own iterator. It fails when
 * the cluster has moved more than 2 slots past the caller's last head without one coming (judged by the
 * cluster's clock, not the wall clock: a starved event loop delays both alike), or when a slot was
 * skipped. A head still awaited after a failure is kept for the next call, so none is lost.
 */
function headCalls(monitor, cluster) {
  const callers = Array.from({ length: CALLERS }, () => ({ iterator: monitor[Symbol.asyncIterator]() }));
  return async (i) => {
    const caller = callers[i];
    caller.next ??= caller.iterator.next();
    const since = caller.slot ?? cluster.slot;
    const ticks = new AbortController();
    try {
      for (;;) {
        const result = await Promise.race([caller.next, sleep(SLOT_MS, TICK, { signal: ticks.signal })]);
        if (result !== TICK) return took(caller, result);
        if (cluster.slot - since > 2)
          throw Object.assign(new Error('no head for 3 slots'), { name: 'NoHead' });
      }
    } finally {
      ticks.abort();
    }
  };
}

/** Takes a head off a caller's iterator; throws when the monitor closed or a slot was skipped. */
function took(caller, result) {
  caller.next = undefined;
  if (result.done) throw Object.assign(new Error('monitor closed'), { name: 'MonitorClosed' });
  const skipped = caller.slot !== undefined && result.value.slot > caller.slot + 1;
  caller.slot = result.value.slot;
  if (skipped) throw Object.assign(new Error('a slot was skipped'), { name: 'SkippedSlot' });
}
const TICK = Symbol('tick');

/**
 * What still keeps the process alive after every client and cluster has closed (stdout and stderr
 * aside), once closed sockets have had up to 2 s to finish closing.
 */
async function leftAfterClose() {
  const left = () =>
    process.getActiveResourcesInfo().filter((type) => type !== 'PipeWrap' && type !== 'TTYWrap');
  for (let waited = 0; left().length > 0 && waited < 2000; waited += 50) await sleep(50);
  return left();
}

// ----- run -----

const unhandled = [];
process.on('unhandledRejection', (reason) => unhandled.push(String(reason?.stack ?? reason).slice(0, 500)));
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

const { clients, ready, close } = await startClients();
const reports = [];
const header = [
  'phase',
  's',
  'calls',
  'failed',
  'by client',
  'rss MB',
  'heap MB',
  'handles',
  'loop p99 ms',
  'unhandled',
];

/** Every client's callers for `ms`, then one report line (after a forced GC). */
async function runPhase(phase, ms) {
  const results = await Promise.all(
    clients.map((c) => runWorkload({ callers: CALLERS, durationMs: ms, call: c.call })),
  );
  globalThis.gc();
  const memory = process.memoryUsage();
  const resources = process.getActiveResourcesInfo();
  const handlesByType = {};
  for (const type of resources) handlesByType[type] = (handlesByType[type] ?? 0) + 1;
  const report = {
    phase,
    atS: round((performance.now() - startedAt) / 1000, 0),
    byClient: Object.fromEntries(
      clients.map((c, i) => [
        c.name,
        { ok: results[i].ok, failed: results[i].failed, errors: results[i].errors },
      ]),
    ),
    calls: results.reduce((sum, r) => sum + r.ok + r.failed, 0),
    failed: results.reduce((sum, r) => sum + r.failed, 0),
    rssMB: round(memory.rss / 2 ** 20, 1),
    heapMB: round(memory.heapUsed / 2 ** 20, 2),
    heapSpacesMB: Object.fromEntries(
      getHeapSpaceStatistics().map((space) => [space.space_name, round(space.space_used_size / 2 ** 20, 2)]),
    ),
    handles: resources.length,
    handlesByType,
    loopDelayP99Ms: round(loopDelay.percentile(99) / 1e6, 1),
    unhandledRejections: unhandled.length,
  };
  loopDelay.reset();
  reports.push(report);
  const cells = [
    report.phase,
    report.atS,
    report.calls,
    report.failed,
    clients.map((c) => report.byClient[c.name].failed).join('/'),
    report.rssMB,
    report.heapMB,
    report.handles,
    report.loopDelayP99Ms,
    report.unhandledRejections,
  ];
  const line = (values) =>
    `${values.map((v, i) => String(v).padStart(Math.max(7, header[i].length))).join('  ')}\n`;
  process.stdout.write(`${reports.length === 1 ? line(header) : ''}${line(cells)}`);
  return report;
}

process.stdout.write(
  `soak: ${RUN_MS / 1000} s of random faults on 3 clusters of 3 nodes, ${CALLERS} callers per client ` +
    `(soroban/evm/beacon); a report every ${round(REPORT_MS / 1000, 1)} s\n`,
);
let baseline;
let settled;
const faults = {};
try {
  // Startup is not what is soaked: first probes, stream connections and timing discovery come first.
  for (const until = performance.now() + 30_000; !ready(); await sleep(50)) {
    if (performance.now() > until) throw new Error('the clients were not ready within 30 s');
  }
  baseline = await runPhase('warm-up', WARMUP_MS);
  const agents = clients.map((c) => chaos(c.cluster.nodes, c.faults));
  for (let elapsed = 0; elapsed < RUN_MS; elapsed += REPORT_MS) {
    await runPhase('faults', Math.min(REPORT_MS, RUN_MS - elapsed));
  }
  await Promise.all(agents.map((agent) => agent.stop()));
  for (const [i, c] of clients.entries()) faults[c.name] = agents[i].counts;
  settled = await runPhase('cleared', SETTLE_MS);
} finally {
  await close();
}
loopDelay.disable();
const leftOpen = await leftAfterClose();

const faulty = reports.filter((r) => r.phase === 'faults');
// The heap fills while code paths warm up, over about the first minute of faults: growth counts from
// the report at one minute, or from half-way through a run shorter than two minutes.
const first = faulty[Math.ceil(Math.min(60_000, RUN_MS / 2) / REPORT_MS) - 1];
// One sample under faults may catch what a blackholed or slow node holds in flight (a few MB); the
// lower of the last one and the one after clearing is what the run kept.
const endHeapMB = Math.min(faulty.at(-1).heapMB, settled.heapMB);
const failed = reports.reduce((sum, r) => sum + r.failed, 0);
const heapGrowth = (endHeapMB - first.heapMB) / first.heapMB;
const handleLimit = Math.ceil(baseline.handles * HANDLE_SLACK.ratio + HANDLE_SLACK.plus);
const criteria = [
  { name: 'no failed call', ok: failed === 0, value: failed },
  {
    name: `heap growth from ${first.atS} s to the end < ${HEAP_GROWTH_LIMIT * 100} %`,
    ok: heapGrowth < HEAP_GROWTH_LIMIT,
    value: `${first.heapMB} → ${endHeapMB} MB (${round(heapGrowth * 100, 1)} %)`,
  },
  { name: 'no unhandled rejection', ok: unhandled.length === 0, value: unhandled.length },
  {
    name: 'nothing left running after close',
    ok: leftOpen.length === 0,
    value: leftOpen.join(', ') || 'none',
  },
  {
    name: `handles once cleared ≤ ${handleLimit} (warm-up ${baseline.handles} × ${HANDLE_SLACK.ratio} + ${HANDLE_SLACK.plus})`,
    ok: settled.handles <= handleLimit,
    value: settled.handles,
  },
];
printTable(
  'criteria',
  ['criterion', 'value', 'ok'],
  criteria.map((c) => [c.name, c.value, c.ok ? 'yes' : 'NO']),
);
process.stdout.write(
  `faults: ${clients.map((c) => `${c.name} ${Object.values(faults[c.name] ?? {}).reduce((a, b) => a + b, 0)}`).join(', ')}; ` +
    `warnings logged: ${clients.map((c) => `${c.name} ${c.log.count}`).join(', ')}\n`,
);
writeResult('soak', {
  quick: false,
  startedAt,
  settings: { runMs: RUN_MS, reportMs: REPORT_MS, callers: CALLERS, settleMs: SETTLE_MS, slotMs: SLOT_MS },
  criteria,
  faults,
  warnings: Object.fromEntries(clients.map((c) => [c.name, c.log])),
  firstErrors: Object.fromEntries(clients.map((c) => [c.name, c.firstErrors])),
  unhandled: unhandled.slice(0, 10),
  leftOpen,
  reports,
});
for (const c of clients) {
  for (const [name, text] of Object.entries(c.firstErrors))
    process.stdout.write(`${c.name} ${name}: ${text}\n`);
}
process.exitCode = criteria.every((c) => c.ok) ? 0 : 1;
