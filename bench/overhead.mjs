// What switchyard costs when nothing goes wrong: one healthy endpoint, no faults, the bare SDK
// client against the same client through switchyard.
//
//   npm run build && node bench/overhead.mjs            # 4 s per run, about 3 minutes
//   npm run build && node bench/overhead.mjs --quick    # 0.35 s per run, under 15 s
//   node bench/overhead.mjs --node /path/to/node22 --node /path/to/node24   # clients on each Node
//
// Soroban: `new rpc.Server(url)` against `withFailover(new rpc.Server(url))` (its one endpoint),
// calling `getLatestLedger()`. viem: `createPublicClient({ transport: http(url) })` against
// `createPublicClient({ transport: failover([http(url)]) })`, calling
// `client.request({ method: 'eth_blockNumber' })` (getBlockNumber() would share one request among
// concurrent callers). switchyard runs with its defaults.
//
// Every party has a process of its own: the simulated node (bench/overheadNode.mjs) and each
// client (bench/overheadClient.mjs, so the bare client never shares a process with switchyard's
// AsyncLocalStorage); this process only orchestrates. A client's CPU time per call
// (process.cpuUsage over the run / calls) is thus the client's alone. Closed loops of 1 caller
// (latency-bound: the client's own work adds to every round trip) and 8 callers (throughput: on
// 2 cores the node may become the bottleneck; then calls/s hide the client's cost and CPU per
// call still shows it; `node CPU` is the node process's CPU over the run, 100 % = one core).
// The machine is shared and noisy: both clients are warmed up first, then bare and switchyard
// runs alternate in a balanced order (A B B A A B ...), never at the same time, and the tables
// give medians over the runs and the ratio of the medians.
//
// Prints two tables and writes bench/results/overhead.json. Exit code 1 only if the bench broke.
import { fork } from 'node:child_process';
import { benchArgs, cell, printTable, round, writeResult } from './lib/report.mjs';

const startedAt = performance.now();
const { quick, node: nodeBinaries = [process.execPath] } = benchArgs({
  node: { type: 'string', multiple: true },
});

const PAIRS = quick ? 3 : 5;
const RUN_MS = quick ? 350 : 4000;
const WARMUP_MS = quick ? 400 : 3000;
const CALLER_COUNTS = [1, 8];
const GOAL = 0.97;
/** The bound on switchyard's own CPU per call, µs. */
const CPU_GOAL_US = 15;
const KINDS = ['bare', 'switchyard'];
const CHAINS = [
  { chain: 'soroban', node: 'soroban', client: 'rpc.Server', method: 'getLatestLedger' },
  { chain: 'viem', node: 'evm', client: 'viem http', method: 'eth_blockNumber' },
];
// A child that takes longer than this to answer has hung: fail rather than hang the bench.
const ANSWER_TIMEOUT_MS = 60_000;

const children = [];
const results = [];
try {
  // The nodes run on this process's Node; the clients on each Node asked for, one after another.
  const nodes = await Promise.all(
    CHAINS.map(({ node }) =>
      start('./overheadNode.mjs', [node]).then((child) => ({ child, ...child.hello })),
    ),
  );
  for (const execPath of nodeBinaries) {
    // Every client starts at once: they load their SDKs in parallel.
    const clients = await Promise.all(
      CHAINS.map(({ chain }, i) =>
        Promise.all(
          KINDS.map((kind) =>
            start('./overheadClient.mjs', [chain, kind, nodes[i].url, nodes[i].chainId], execPath),
          ),
        ),
      ),
    );
    for (const [i, spec] of CHAINS.entries()) {
      const nodeVersion = clients[i][0].hello.node;
      for (const row of await measureChain(spec, nodes[i].child, clients[i])) {
        results.push({ node: nodeVersion, ...row });
      }
    }
    await Promise.all(clients.flat().map(stop));
  }
} catch (error) {
  process.stderr.write(`bench failed: ${error?.stack ?? error}\n`);
  process.exitCode = 1;
} finally {
  await Promise.all(children.map(stop));
}

const mode = `${PAIRS} × (bare, switchyard) runs of ${RUN_MS / 1000} s, medians`;
const ratioTitle = `switchyard / bare, one healthy endpoint, no faults (${mode}; goals: calls/s ratio ≥ ${GOAL}, extra CPU ≤ ${CPU_GOAL_US} µs/call)`;
const ratioHeader = [
  'Node',
  'client',
  'method',
  'callers',
  'bare calls/s',
  'switchyard calls/s',
  'ratio',
  'bare µs/call',
  'switchyard µs/call',
  'extra µs/call',
  'node CPU',
];
const ratioRows = results.map((r) => [
  r.node,
  r.client,
  r.method,
  r.callers,
  cell(r.bare.callsPerSec, 0),
  cell(r.switchyard.callsPerSec, 0),
  `${cell(r.ratio, 3)}${r.ratio < GOAL ? ' !' : ''}`,
  cell(r.bare.cpuUsPerCall, 0),
  cell(r.switchyard.cpuUsPerCall, 0),
  `${cell(r.switchyard.cpuUsPerCall - r.bare.cpuUsPerCall, 0)}${r.switchyard.cpuUsPerCall - r.bare.cpuUsPerCall > CPU_GOAL_US ? ' !' : ''}`,
  `${cell(Math.max(r.bare.nodeCpuPercent, r.switchyard.nodeCpuPercent), 0)} %`,
]);
printTable(ratioTitle, ratioHeader, ratioRows);

const runsTitle = 'every run, in order (calls/s), and the latency of the median run';
const runsHeader = ['Node', 'client', 'callers', 'kind', 'calls/s per run', 'p50 ms', 'p99 ms'];
const runsRows = results.flatMap((r) =>
  KINDS.map((kind) => [
    r.node,
    r.client,
    r.callers,
    kind,
    r.runs
      .filter((run) => run.kind === kind)
      .map((run) => run.callsPerSec.toFixed(0))
      .join(' '),
    cell(r[kind].latencyMs.p50, 2),
    cell(r[kind].latencyMs.p99, 2),
  ]),
);
printTable(runsTitle, runsHeader, runsRows);

writeResult('overhead', {
  quick,
  startedAt,
  tables: [
    { title: ratioTitle, header: ratioHeader, rows: ratioRows },
    { title: runsTitle, header: runsHeader, rows: runsRows, detail: true },
  ],
  settings: {
    pairs: PAIRS,
    runMs: RUN_MS,
    warmupMs: WARMUP_MS,
    callerCounts: CALLER_COUNTS,
    goal: GOAL,
    cpuGoalUs: CPU_GOAL_US,
  },
  results,
});

/**
 * Warms both clients up (JIT, connections), then at each number of callers alternates bare and
 * switchyard runs in a balanced order (A B B A A B ...), so neither always goes first.
 */
async function measureChain({ chain, client, method }, node, [bare, switchyard]) {
  const byKind = { bare, switchyard };
  for (const kind of KINDS) {
    await ask(byKind[kind], { run: { callers: Math.max(...CALLER_COUNTS), durationMs: WARMUP_MS } });
  }
  const out = [];
  for (const callers of CALLER_COUNTS) {
    const runs = [];
    for (let pair = 0; pair < PAIRS; pair++) {
      for (const kind of pair % 2 === 0 ? KINDS : [...KINDS].reverse()) {
        const cpuBefore = await nodeCpu(node);
        const { result } = await ask(byKind[kind], { run: { callers, durationMs: RUN_MS } });
        const nodeCpuUs = (await nodeCpu(node)) - cpuBefore;
        if (result.failed > 0) {
          throw new Error(
            `${chain} ${kind}: ${result.failed} calls failed (${JSON.stringify(result.errors)})`,
          );
        }
        runs.push({
          kind,
          pair,
          ...result,
          nodeCpuPercent: round((nodeCpuUs / 1000 / result.wallMs) * 100, 1),
        });
      }
    }
    const summaries = Object.fromEntries(
      KINDS.map((kind) => [kind, summary(runs.filter((r) => r.kind === kind))]),
    );
    const ratio = round(summaries.switchyard.callsPerSec / summaries.bare.callsPerSec, 3);
    out.push({ chain, client, method, callers, ...summaries, ratio, runs });
  }
  return out;
}

/** Medians over the runs of one client; the latency of the run with the median calls/s. */
function summary(runs) {
  const byRate = [...runs].sort((a, b) => a.callsPerSec - b.callsPerSec);
  return {
    callsPerSec: median(runs.map((run) => run.callsPerSec)),
    cpuUsPerCall: median(runs.map((run) => run.cpuUsPerCall)),
    nodeCpuPercent: median(runs.map((run) => run.nodeCpuPercent)),
    latencyMs: byRate[Math.floor((byRate.length - 1) / 2)].latencyMs,
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 === 1 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Forks a script of this folder; resolves with the child once its first message (`hello`) came. */
function start(script, args, execPath = process.execPath) {
  const child = fork(new URL(script, import.meta.url), args, {
    execPath,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.exited = new Promise((resolve) => child.once('exit', resolve));
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', (hello) => {
      child.hello = hello;
      resolve(child);
    });
    child.once('exit', (code) =>
      reject(new Error(`${script} ${args[0]} exited (code ${code}) before it was ready`)),
    );
  });
}

/** Asks a child to close, and kills it if it has not left within 5 s. */
async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (child.connected) child.send('close');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await child.exited;
  clearTimeout(timer);
}

/** Sends `message` to a child; resolves with its next message. */
function ask(child, message) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no answer to ${JSON.stringify(message)}`)),
      ANSWER_TIMEOUT_MS,
    );
    const onExit = (code) => reject(new Error(`a child exited (code ${code}) in the middle of a run`));
    child.once('exit', onExit);
    child.once('message', (answer) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve(answer);
    });
    child.send(message);
  });
}

/** The node process's CPU time so far, in µs. */
async function nodeCpu(node) {
  const { cpu } = await ask(node, 'cpu');
  return cpu.user + cpu.system;
}
