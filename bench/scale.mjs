// What watching 100 endpoints costs the process that does it: one failover instance over 100
// simulated Soroban RPC nodes, each probed every second (the default), no user calls. The nodes run
// in a child process (bench/scaleNodes.mjs), so only switchyard's process is measured: CPU as a
// share of one core (goal: under 2 %), heap used and active handles at the start and end of the
// measurement (after a forced GC; both should be flat), event-loop delay p99
// (perf_hooks.monitorEventLoopDelay, 10 ms resolution, the 10 ms itself taken off), probes sent
// and CPU per probe. CPU is process.cpuUsage(): every thread of the process, GC and JIT threads
// included; 'above baseline' takes off the harness's own CPU (the baseline row). Timers and keep-alive sockets are unref'd, so getActiveResourcesInfo() does not list
// them: the connections the nodes hold open at start and end are the leak check for sockets (at a
// variant's start they may still include the previous variant's idle keep-alive sockets, closed
// within seconds), and the handles after close() show what close() leaves behind. The machine's
// load average is recorded with each row: on a shared machine it moves the delays and the CPU.
//
//   npm run build && node bench/scale.mjs           # 10 s warm-up + 60 s per variant, about 5 min
//   npm run build && node bench/scale.mjs --quick   # 1 s warm-up + 4 s per variant, under 15 s
//
// Variants, one after the other against the same 100 nodes:
//   baseline            — this harness alone (event-loop histogram, samplers), no failover
//                         instance; measured while the nodes' process starts;
//   createFailover no-op — the core with a probe that answers at once: switchyard's own bookkeeping;
//   createFailover fetch — (full run only) the core with a minimal real probe: a JSON-RPC getHealth
//                         POST over fetch (undici);
//   withFailover        — the Soroban adapter: an rpc.Server per endpoint, probed by its lean probe
//                         (getHealth over one undici keep-alive pool per origin, not through the SDK);
//   (full run only) both createFailover variants again over 10 and 30 endpoints, 20 s each: how
//                         the cost grows with the endpoint count.
// Measurement starts after the warm-up (instance created, first probes answered).
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { benchArgs, cell, printTable, round, writeResult } from './lib/report.mjs';

const startedAt = performance.now();
const { quick } = benchArgs();
const ENDPOINTS = 100;
const WARM_UP_MS = quick ? 1000 : 10_000;
const MEASURE_MS = quick ? 4000 : 60_000;
const BASELINE_MS = quick ? 1000 : 10_000;
const SWEEP_MS = 20_000;
const SAMPLE_MS = 1000;
/** The histogram's timer interval; its samples include it, so it is taken off. */
const LOOP_RESOLUTION_MS = 10;
const loopDelayMs = (ns) => round(Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS));
const NODES = new URL('./scaleNodes.mjs', import.meta.url);

// A full GC before each heap reading, so that the figures compare live objects, not garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

// ----- the nodes' process -----

const nodes = fork(NODES, [String(ENDPOINTS)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const nodesExited = new Promise((resolve) => nodes.once('exit', resolve));
// Loaded once the nodes' process is forked, so that both start up at the same time.
const [{ rpc }, { createFailover, silentLogger }, { withFailover }] = await Promise.all([
  import('@stellar/stellar-sdk'),
  import('switchyard-rpc'),
  import('switchyard-rpc/soroban'),
]);
function fromNodes(type) {
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (message?.type !== type) return;
      nodes.off('message', onMessage);
      nodes.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code) => reject(new Error(`the nodes' process exited (code ${code})`));
    nodes.on('message', onMessage);
    nodes.once('exit', onExit);
  });
}
async function nodeStats() {
  const reply = fromNodes('stats');
  nodes.send('stats');
  return reply;
}

// ----- variants -----

const probeBody = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getHealth' });
/** The smallest honest probe: getHealth over fetch, healthy with a ledger. */
const fetchProbe = {
  async check(endpoint, signal) {
    const started = performance.now();
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: probeBody,
        signal,
      });
      const { result } = await res.json();
      const ok = res.ok && result?.status === 'healthy' && typeof result.latestLedger === 'number';
      return { ok, latencyMs: performance.now() - started, head: ok ? result.latestLedger : undefined };
    } catch (error) {
      if (signal.aborted) throw error;
      return { ok: false, latencyMs: performance.now() - started, detail: String(error?.message ?? error) };
    }
  },
};

/** Answers at once with a head: what is left is switchyard's own work per probe. */
let noopChecks = 0;
const noopProbe = {
  async check() {
    noopChecks++;
    return { ok: true, latencyMs: 1, head: 1000 };
  },
};

const core = (name, probe, endpoints = ENDPOINTS, measureMs = MEASURE_MS) => ({
  name,
  endpoints,
  measureMs,
  start: (urls) => {
    const failover = createFailover({ endpoints: urls.slice(0, endpoints), probe, logger: silentLogger });
    return { status: () => failover.status(), close: () => failover.close() };
  },
});

const VARIANTS = [
  core('createFailover no-op', noopProbe),
  // The full run only, like the sweep below: --quick has time for two variants.
  ...(quick ? [] : [core('createFailover fetch', fetchProbe)]),
  {
    name: 'withFailover',
    endpoints: ENDPOINTS,
    measureMs: MEASURE_MS,
    start: (urls) => {
      const server = withFailover(new rpc.Server(urls[0], { allowHttp: true }), {
        endpoints: urls.slice(1),
        logger: silentLogger,
      });
      return { status: () => server.failover.status(), close: () => server.failover.close() };
    },
  },
  // How the cost grows with the endpoint count (the full run only: it takes time).
  ...(quick
    ? []
    : [10, 30].flatMap((n) => [
        core('createFailover no-op', noopProbe, n, SWEEP_MS),
        core('createFailover fetch', fetchProbe, n, SWEEP_MS),
      ])),
];

function handles() {
  const byType = {};
  for (const type of process.getActiveResourcesInfo()) byType[type] = (byType[type] ?? 0) + 1;
  return { total: Object.values(byType).reduce((a, b) => a + b, 0), byType };
}

function heapMiB() {
  return round(process.memoryUsage().heapUsed / 2 ** 20);
}

const noNodes = { byMethod: {}, total: 0, openConnections: undefined };

async function measure(variant, urls) {
  const baseline = variant === undefined;
  const loadBefore = loadavg()[0];
  const instance = variant?.start(urls);
  const warmUpMs = baseline ? 0 : WARM_UP_MS;
  await sleep(warmUpMs);
  gc();
  const start = { heapMiB: heapMiB(), handles: handles(), nodes: baseline ? noNodes : await nodeStats() };
  const histogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const heapSamples = [];
  const sampler = setInterval(() => heapSamples.push(heapMiB()), SAMPLE_MS);
  const durationMs = baseline ? BASELINE_MS : variant.measureMs;
  const checksBefore = noopChecks;
  histogram.enable();
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  await sleep(durationMs);
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - t0;
  const localChecks = noopChecks - checksBefore;
  histogram.disable();
  clearInterval(sampler);
  const status = instance?.status();
  const endNodes = baseline ? noNodes : await nodeStats();
  gc();
  const end = { heapMiB: heapMiB(), handles: handles() };
  await instance?.close();
  // What close() leaves behind (a probe in flight at the end reading shows there as a socket + timer).
  await sleep(0);
  const afterClose = handles();
  // Probes that reached a node; the no-op probe reaches none, so its calls are counted here.
  const getHealth = (endNodes.byMethod.getHealth ?? 0) - (start.nodes.byMethod.getHealth ?? 0) + localChecks;
  const requests = endNodes.total - start.nodes.total;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const states = {};
  for (const e of status?.endpoints ?? []) states[e.state] = (states[e.state] ?? 0) + 1;
  return {
    variant: variant?.name ?? 'baseline',
    endpoints: variant?.endpoints ?? 0,
    // Other processes on the machine: a shared machine's load shows in the delays and the CPU.
    loadAverage1m: { start: round(loadBefore), end: round(loadavg()[0]) },
    warmUpMs,
    wallMs: round(wallMs),
    cpuMs: round(cpuMs),
    cpuPercentOfCore: round((cpuMs / wallMs) * 100, 2),
    heapMiB: { start: start.heapMiB, end: end.heapMiB, maxSampled: Math.max(start.heapMiB, ...heapSamples) },
    handles: { start: start.handles, end: end.handles, afterClose },
    nodeConnections: { start: start.nodes.openConnections, end: endNodes.openConnections },
    eventLoopDelayMs: {
      p50: loopDelayMs(histogram.percentile(50)),
      p99: loopDelayMs(histogram.percentile(99)),
      max: loopDelayMs(histogram.max),
    },
    requestsReceived: requests,
    probesReceived: getHealth,
    probesPerSecond: round((getHealth / wallMs) * 1000, 1),
    cpuUsPerProbe: getHealth > 0 ? round((cpuMs * 1000) / getHealth, 1) : undefined,
    probesPerMinuteReported: status
      ? status.endpoints.reduce((sum, e) => sum + e.probesPerMinute, 0)
      : undefined,
    endpointStates: states,
  };
}

// ----- main -----

const runs = [];
try {
  const ready = fromNodes('ready');
  runs.push(await measure(undefined));
  const { urls } = await ready;
  for (const variant of VARIANTS) runs.push(await measure(variant, urls));
} finally {
  if (nodes.connected) nodes.send('stop');
  const killer = setTimeout(() => nodes.kill(), 5000);
  await nodesExited;
  clearTimeout(killer);
}

// The harness's own CPU (histogram timer, samplers), taken off each variant's.
const baselinePercent = runs.find((r) => r.variant === 'baseline')?.cpuPercentOfCore ?? 0;
for (const r of runs) {
  r.cpuPercentAboveBaseline = round(Math.max(0, r.cpuPercentOfCore - baselinePercent), 2);
  r.cpuUsPerProbeAboveBaseline =
    r.probesReceived > 0
      ? round(((r.cpuPercentAboveBaseline / 100) * r.wallMs * 1000) / r.probesReceived, 1)
      : undefined;
}

const header = [
  'variant',
  'endpoints',
  'measured s',
  'CPU % of a core',
  'above baseline',
  'heap MiB start',
  'heap MiB end',
  'handles start',
  'handles end',
  'node conns start',
  'node conns end',
  'loop delay p99 ms',
  'probes/s',
  'CPU µs/probe above baseline',
  'endpoints healthy',
  'machine load 1 min',
];
const rows = runs.map((r) => [
  r.variant,
  r.endpoints,
  cell(r.wallMs / 1000, 1),
  cell(r.cpuPercentOfCore, 2),
  r.variant === 'baseline' ? '-' : cell(r.cpuPercentAboveBaseline, 2),
  cell(r.heapMiB.start, 1),
  cell(r.heapMiB.end, 1),
  r.handles.start.total,
  r.handles.end.total,
  cell(r.nodeConnections.start),
  cell(r.nodeConnections.end),
  cell(r.eventLoopDelayMs.p99, 2),
  cell(r.probesPerSecond, 1),
  cell(r.cpuUsPerProbeAboveBaseline, 0),
  r.variant === 'baseline' ? '-' : `${r.endpointStates.healthy ?? 0}/${r.endpoints}`,
  `${cell(r.loadAverage1m.start, 1)}→${cell(r.loadAverage1m.end, 1)}`,
]);
const title = `Failover over ${ENDPOINTS} endpoints probed every second, no user calls; nodes in a child process (${WARM_UP_MS / 1000} s warm-up, ${MEASURE_MS / 1000} s measured)`;
printTable(title, header, rows);

const handleHeader = ['variant', 'endpoints', 'at', 'handles by type'];
const handleRows = runs.flatMap((r) =>
  ['start', 'end', 'afterClose'].map((at) => [
    r.variant,
    r.endpoints,
    at,
    Object.entries(r.handles[at].byType)
      .map(([type, n]) => `${type} ${n}`)
      .join(', '),
  ]),
);
const handleTitle =
  'Active handles (process.getActiveResourcesInfo(); refed only): measurement start, end, after close()';
printTable(handleTitle, handleHeader, handleRows);

writeResult('scale', {
  quick,
  startedAt,
  endpoints: ENDPOINTS,
  warmUpMs: WARM_UP_MS,
  measureMs: MEASURE_MS,
  tables: [
    { title, header, rows },
    { title: handleTitle, header: handleHeader, rows: handleRows, detail: true },
  ],
  runs,
});
