// What switchyard's own requests cost a provider: requests per endpoint per minute that switchyard
// sends by itself (probes, not user calls), with the default probe interval (1 s), counted where
// they arrive — on the simulated nodes, by method (node.stats().byMethod) — and as switchyard
// reports them (status().endpoints[].probesPerMinute).
//
//   npm run build && node bench/probeCost.mjs           # 60 s idle + 60 s under load, about 2.5 min
//   npm run build && node bench/probeCost.mjs --quick   # 4.5 s + 4.5 s, under 15 s
//
// Scenarios, each on its own 3-node cluster (nodes in this process), all idle at the same time,
// then the single-process clients under load at the same time:
//   soroban      — withFailover over 3 Soroban nodes; probes are getHealth. Load: a closed loop of
//                  callers on getLatestLedger (its answer carries the ledger: the head).
//   evm          — viem's createPublicClient on failover([http × 3]); a probe is eth_blockNumber +
//                  eth_syncing (eth_chainId at the first probe and once a minute). Two clients on
//                  two clusters, differing only in their load: getGasPrice (an answer without a
//                  head) and getBlock (the latest block: an answer that carries the head).
//   soroban × 3 shared   — 3 worker processes (bench/probeCostWorker.mjs), idle, sharing one
//                  FileStateStore: each endpoint should be probed about once per interval in total.
//   soroban × 3 unshared — the same 3 processes without a store, for comparison.
// Passive health: an endpoint that answered a real call within the interval, and whose head was
// seen within it, is not probed, so under load the busy endpoints should get fewer probes. The user's method is counted apart; what the
// nodes received of it beyond the calls made is switchyard's own too (hedges, retries).
//
// Windows are short in --quick (4 or 5 probes per endpoint): ±1 probe is ±13 per minute there.
// status() counts the probes of the last minute; for an instance younger than a minute the figure
// shown is the window's count scaled to a minute. The nodes run in this process: under load the
// event loop is busy and probe timers may fire late, which lowers the probe counts a little.

import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { rpc } from '@stellar/stellar-sdk';
import { silentLogger } from 'switchyard-rpc';
import { withFailover } from 'switchyard-rpc/soroban';
import { SorobanCluster } from 'switchyard-rpc/testing';
import { EvmCluster } from 'switchyard-rpc/testing/viem';
import { failover } from 'switchyard-rpc/viem';
import { createPublicClient, defineChain, http } from 'viem';
import { benchArgs, cell, printTable, round, writeResult } from './lib/report.mjs';
import { runWorkload } from './lib/workload.mjs';

const startedAt = performance.now();
const loadAtStart = loadavg()[0];
const { quick } = benchArgs();
const WINDOW_MS = quick ? 4500 : 60_000;
const WARM_UP_MS = quick ? 1000 : 5000;
/** After the last worker is ready: its first probes and leases are behind it. */
const WORKER_WARM_UP_MS = quick ? 700 : 5000;
const CALLERS = 4;
const WORKERS = 3;
const MINUTE = 60_000;
const WORKER = new URL('./probeCostWorker.mjs', import.meta.url);

// ----- clients -----

function sorobanClient(cluster) {
  const nodes = cluster.nodes.map((node) => ({ url: node.url, label: node.name }));
  const server = withFailover(new rpc.Server(nodes[0].url, { allowHttp: true }), {
    endpoints: nodes,
    logger: silentLogger,
  });
  return {
    createdAt: performance.now(),
    status: () => server.failover.status(),
    call: () => server.getLatestLedger(),
    close: () => server.failover.close(),
  };
}

/** viem on failover; `call` is the load: getGasPrice (no head in the answer) or getBlock (latest). */
function evmClient(cluster, load) {
  const chain = defineChain({
    id: cluster.chainId,
    name: 'simulated',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: cluster.nodes.map((node) => node.url) } },
  });
  const transport = failover(
    cluster.nodes.map((node) => http(node.url)),
    { endpoints: cluster.nodes.map((node) => ({ label: node.name })), logger: silentLogger },
  );
  const client = createPublicClient({ chain, transport, cacheTime: 0 });
  return {
    createdAt: performance.now(),
    status: () => transport.failover.status(),
    call: load === 'getBlock' ? () => client.getBlock() : () => client.getGasPrice(),
    close: () => transport.failover.close(),
  };
}

const SINGLE = [
  {
    name: 'soroban',
    load: 'getLatestLedger',
    newCluster: () => new SorobanCluster({ nodes: 3, ledgerIntervalMs: 1000 }),
    newClient: sorobanClient,
    probes: ['getHealth'],
    user: 'getLatestLedger',
  },
  {
    name: 'evm',
    load: 'getGasPrice',
    newCluster: () => new EvmCluster({ nodes: 3, blockIntervalMs: 1000 }),
    newClient: (cluster) => evmClient(cluster, 'getGasPrice'),
    probes: ['eth_blockNumber', 'eth_syncing', 'eth_chainId'],
    user: 'eth_gasPrice',
  },
  {
    name: 'evm',
    load: 'getBlock',
    newCluster: () => new EvmCluster({ nodes: 3, blockIntervalMs: 1000 }),
    newClient: (cluster) => evmClient(cluster, 'getBlock'),
    probes: ['eth_blockNumber', 'eth_syncing', 'eth_chainId'],
    user: 'eth_getBlockByNumber',
  },
];

/** Worker processes on `cluster`, sharing `statePath` (or not, when null); resolves once all are ready. */
async function startWorkers(cluster, statePath) {
  const nodes = cluster.nodes.map((node) => ({ url: node.url, label: node.name }));
  const children = Array.from({ length: WORKERS }, () =>
    fork(WORKER, [JSON.stringify({ nodes, statePath })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  all.push(...children);
  await Promise.all(children.map((child) => reply(child, (m) => m === 'ready')));
  return children;
}

function reply(child, accept) {
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (!accept(message)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code) => reject(new Error(`a worker exited (code ${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function workerStatuses(children) {
  return Promise.all(
    children.map((child) => {
      const answer = reply(child, (m) => m?.type === 'status');
      child.send('status');
      return answer;
    }),
  );
}

async function stopWorkers(children) {
  await Promise.all(
    children.map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (child.connected) child.send('stop');
      const killer = setTimeout(() => child.kill(), 5000);
      return exited.finally(() => clearTimeout(killer));
    }),
  );
}

// ----- counting -----

function nodeCounts(cluster) {
  return cluster.nodes.map((node) => ({ ...node.stats().byMethod }));
}

/** Per node: requests by method received between two `nodeCounts`. */
function delta(before, after) {
  return after.map((counts, i) => {
    const d = {};
    for (const [method, n] of Object.entries(counts)) d[method] = n - (before[i][method] ?? 0);
    return d;
  });
}

const perMinute = (count, ms) => (count / ms) * MINUTE;
const sum = (counts, methods) => methods.reduce((total, m) => total + (counts[m] ?? 0), 0);

/**
 * status().probesPerMinute counts the last minute's probes: past a minute of age, with a window of
 * about a minute (timers may fire a millisecond early), the end value is the window's; younger, the
 * window's count scaled to a minute.
 */
function statusPerMinute(start, end, ageMs, windowMs) {
  if (ageMs <= MINUTE) return perMinute(end - start, windowMs);
  return windowMs >= MINUTE * 0.99 ? end : undefined;
}

/** Runs `during` (or just waits `ms`) and returns what every cluster's nodes received meanwhile. */
async function window(ms, clusters, during = () => sleep(ms)) {
  const before = clusters.map(nodeCounts);
  const t0 = performance.now();
  const result = await during();
  const endAt = performance.now();
  return {
    elapsedMs: endAt - t0,
    endAt,
    counts: clusters.map((c, i) => delta(before[i], nodeCounts(c))),
    result,
  };
}

// ----- main -----

const stateDir = mkdtempSync(join(tmpdir(), 'switchyard-probecost-'));
const singles = SINGLE.map((spec) => ({ ...spec, cluster: spec.newCluster() }));
const workerSpecs = [
  { name: `soroban × ${WORKERS} shared`, statePath: join(stateDir, 'health.json') },
  { name: `soroban × ${WORKERS} unshared`, statePath: null },
].map((spec) => ({ ...spec, cluster: new SorobanCluster({ nodes: 3, ledgerIntervalMs: 1000 }) }));
const all = [];
const rows = [];
const summary = [];
const raw = {};
const timings = {};
try {
  await Promise.all([...singles, ...workerSpecs].map((s) => s.cluster.start()));
  // The single-process clients warm up while the workers start.
  for (const s of singles) s.client = s.newClient(s.cluster);
  const warmUp = sleep(WARM_UP_MS);
  const t = performance.now();
  await Promise.all(
    workerSpecs.map(async (w) => {
      w.children = await startWorkers(w.cluster, w.statePath);
    }),
  );
  timings.workersReadyMs = round(performance.now() - t);
  await Promise.all([warmUp, sleep(WORKER_WARM_UP_MS)]);

  // Idle: every scenario at once.
  for (const s of singles) s.idleStart = s.client.status();
  for (const w of workerSpecs) w.start = await workerStatuses(w.children);
  const idle = await window(
    WINDOW_MS,
    [...singles, ...workerSpecs].map((s) => s.cluster),
  );
  for (const s of singles) s.idleEnd = s.client.status();
  for (const w of workerSpecs) w.end = await workerStatuses(w.children);
  await Promise.all(workerSpecs.map((w) => stopWorkers(w.children)));

  // Under load: the single-process clients, at the same time.
  for (const s of singles) s.loadStart = s.client.status();
  const load = await window(
    WINDOW_MS,
    singles.map((s) => s.cluster),
    () =>
      Promise.all(
        singles.map((s) => runWorkload({ callers: CALLERS, durationMs: WINDOW_MS, call: s.client.call })),
      ),
  );
  for (const s of singles) s.loadEnd = s.client.status();

  for (const phase of ['idle', 'load']) {
    const w = phase === 'idle' ? idle : load;
    singles.forEach((s, index) => {
      const counts = w.counts[index];
      const [statusStart, statusEnd] = phase === 'idle' ? [s.idleStart, s.idleEnd] : [s.loadStart, s.loadEnd];
      const ageMs = w.endAt - s.client.createdAt;
      const workload = phase === 'load' ? w.result[index] : undefined;
      const calls = workload ? workload.ok + workload.failed : 0;
      let userReceived = 0;
      let probeRequests = 0;
      let reported = 0;
      s.cluster.nodes.forEach((node, i) => {
        const c = counts[i];
        const probes = sum(c, s.probes);
        const user = c[s.user] ?? 0;
        const other = Object.entries(c)
          .filter(([m]) => m !== s.user && !s.probes.includes(m))
          .reduce((t, [, n]) => t + n, 0);
        const startE = statusStart.endpoints.find((e) => e.label === node.name);
        const endE = statusEnd.endpoints.find((e) => e.label === node.name);
        const status = statusPerMinute(startE.probesPerMinute, endE.probesPerMinute, ageMs, w.elapsedMs);
        userReceived += user;
        probeRequests += probes;
        reported += status ?? 0;
        rows.push([
          s.name,
          phase === 'idle' ? 'idle' : `load: ${s.load}`,
          node.name,
          cell(perMinute(probes, w.elapsedMs), 1),
          s.probes.map((m) => cell(perMinute(c[m] ?? 0, w.elapsedMs), 1)).join(' + '),
          cell(status, 1),
          cell(perMinute(user, w.elapsedMs), 0),
          cell(perMinute(other, w.elapsedMs), 1),
        ]);
      });
      const extra = userReceived - calls;
      summary.push([
        s.name,
        phase === 'idle' ? 'idle' : `load: ${s.load}`,
        1,
        cell(perMinute(probeRequests, w.elapsedMs) / 3, 1),
        cell(reported / 3, 1),
        workload ? cell(workload.callsPerSec, 0) : '-',
        workload ? `${extra} (${cell((extra / Math.max(1, calls)) * 100, 2)} %)` : '-',
      ]);
      raw[`${s.name}-${phase === 'idle' ? 'idle' : s.load}`] = {
        counts,
        workload,
        elapsedMs: round(w.elapsedMs),
        status: statusEnd.endpoints,
      };
    });
  }

  // Worker rows: probes at the nodes are the processes' total; status() is per process.
  workerSpecs.forEach((w, k) => {
    const counts = idle.counts[singles.length + k];
    let total = 0;
    const perProcessTotals = Array(WORKERS).fill(0);
    w.cluster.nodes.forEach((node, i) => {
      const probes = counts[i].getHealth ?? 0;
      total += probes;
      const perProcess = w.end.map((end, p) => {
        const start = w.start[p].endpoints.find((e) => e.label === node.name).probesPerMinute;
        const last = end.endpoints.find((e) => e.label === node.name).probesPerMinute;
        const value = statusPerMinute(start, last, end.ageMs, idle.elapsedMs) ?? 0;
        perProcessTotals[p] += value;
        return value;
      });
      rows.push([
        w.name,
        'idle',
        node.name,
        cell(perMinute(probes, idle.elapsedMs), 1),
        cell(perMinute(probes, idle.elapsedMs), 1),
        perProcess.map((v) => cell(v, 0)).join(' + '),
        '0',
        cell(perMinute(sum(counts[i], Object.keys(counts[i])) - probes, idle.elapsedMs), 1),
      ]);
    });
    summary.push([
      w.name,
      'idle',
      WORKERS,
      cell(perMinute(total, idle.elapsedMs) / 3, 1),
      cell(perProcessTotals.reduce((a, b) => a + b, 0) / 3, 1),
      '-',
      '-',
    ]);
    raw[w.name] = { counts, start: w.start, end: w.end, elapsedMs: round(idle.elapsedMs) };
  });
} finally {
  await Promise.all(singles.map((s) => s.client?.close()));
  await stopWorkers(all);
  await Promise.all([...singles, ...workerSpecs].map((s) => s.cluster.close()));
  rmSync(stateDir, { recursive: true, force: true });
}

const summaryHeader = [
  'scenario',
  'phase',
  'processes',
  'probe requests /endpoint/min (nodes)',
  'probes /endpoint/min (status)',
  'user calls/s',
  'extra user-method requests (hedges, retries)',
];
const summaryTitle = `Switchyard's own requests, 3 endpoints, probe interval 1 s (default), ${WINDOW_MS / 1000} s windows, ${CALLERS} callers under load`;
printTable(summaryTitle, summaryHeader, summary);

const header = [
  'scenario',
  'phase',
  'endpoint',
  'probe requests/min',
  'by method/min',
  'status() probes/min',
  'user calls/min',
  'other/min',
];
const detailTitle = 'Per endpoint (counted at the node; status() per process, summed with +)';
printTable(detailTitle, header, rows);

writeResult('probeCost', {
  quick,
  startedAt,
  // Other processes on the machine (1-minute load average at the start and the end).
  loadAverage1m: [round(loadAtStart), round(loadavg()[0])],
  windowMs: WINDOW_MS,
  callers: CALLERS,
  timings,
  tables: [
    { title: summaryTitle, header: summaryHeader, rows: summary },
    { title: detailTitle, header, rows, detail: true },
  ],
  raw,
});
