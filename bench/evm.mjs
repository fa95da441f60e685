// Ethereum JSON-RPC under a faulty primary: what a backend's callers see through four failover
// clients over the same 3 simulated nodes (switchyard-rpc/testing/viem, real HTTP on 127.0.0.1),
// primary first:
//   viem fallback            fallback([http(a), http(b), http(c)]), viem's defaults
//   viem fallback, rank      the same with rank: { interval: 1000 } (switchyard's default probe
//                            interval; viem's own default here would be 500 ms, half the block
//                            time) and ping net_version (see below)
//   ethers FallbackProvider  three JsonRpcProviders (priorities 1, 2, 3, staticNetwork), quorum 1
//   switchyard failover      failover([http(a), http(b), http(c)]), defaults (probe every 1 s)
// Every timeout is the client's default: viem 10 s per request, ethers 5 min per request with a
// 400 ms stallTimeout before it adds the next provider, switchyard 10 s per call.
//
//   npm run build && node bench/evm.mjs            # 16 callers, 10 s per run, about 1.5 minutes
//   npm run build && node bench/evm.mjs --quick    # 8 callers, 3 s per run, about 35 s
//   node bench/evm.mjs [--quick] --target busiest  # the fault on the node each client used most
//                                                  # in the warm-up (bench/results/evmBusiest.json)
//
// Scenarios, each a fault put on the primary (node 0) at the start of the measured window:
//   none       no fault: the baseline cost of each client
//   slow       every answer delayed 800 ms          (latencyMs: 800)
//   blackhole  connections accepted, never answered (blackhole: true)
//   refuse     connections refused                  (refuse: true)
//   flapping   refused, then listening again, every 1.5 s
//   lagging    20 blocks behind the cluster         (lag: 20; eth_syncing still says false)
// The workload is a closed loop: each caller calls `getBlock()` (the latest block:
// eth_getBlockByNumber) again as soon as its previous call settles. A stale answer is a block more
// than 2 blocks behind the cluster head at the moment it arrives (a block every second). Not
// getBlockNumber: viem shares one request among concurrent getBlockNumber calls and caches the
// answer (cacheTime), ethers caches any identical call for 250 ms, so a closed loop of them
// measures the caches. Response caches are off for every client (viem `cacheTime: 0`, ethers
// `cacheTimeout: -1`): every call is a round trip through the client's failover.
//
// Method: each client runs in a process of its own (bench/evmWorker.mjs), on a fresh cluster per
// scenario. The four processes run every scenario at the same moment (the parent starts them
// together): the fault timeline is the same for all, and a blackholed run, which viem waits out
// for 10 s, is paid once rather than once per client. Each run: client created, 300 ms (--quick)
// or 1 s of warm-up traffic on healthy nodes (not counted), fault on, measured window, then the
// calls still in flight are awaited; a call still running 10.5 s after the window (past viem's
// 10 s timeout) fails as BenchCutoff, so a run always ends. Four busy processes share the machine's
// cores, so latencies include waiting for one; a client stuck on a hung or slow node leaves CPU to
// the others, so compare latencies within a scenario rather than across scenarios.
//
// Notes on the clients, as found here (viem 2.57, ethers 6.17):
// - viem rank's default ping is net_listening, which the simulator does not answer (-32601 from
//   every node, so rank scores them all 0 and never reorders); net_version is as cheap, node-local
//   and goes through the same faults. rank's loop cannot be stopped; once closed, the ping never
//   settles, so the loop ends at its next sample and holds no timer.
// - ethers FallbackProvider with quorum 1 does not try the next provider when the primary fails
//   (ethers-io/ethers.js#3131): refused connections fail the call. When the primary hangs it adds
//   the next provider after stallTimeout, but #waitForQuorum then races only the promises it had
//   before adding it, so the answer is read once the hung request settles (5 min): a blackholed
//   primary hangs calls until BenchCutoff (an old report of the hang: ethers-io/ethers.js#2030).
//   The default quorum (2 of 3) does fail over in those two cases, by asking two nodes per call
//   and waiting for them to agree; that is a consensus setup, not the failover one compared here.
//
// Columns: `to primary` is the share of the JSON-RPC calls the nodes received that reached the
// primary, during the warm-up → after the fault (probes, rank pings, hedges and retries included; a
// refused connection never reaches it): a client that had already left the primary before the
// fault (viem rank orders healthy nodes by ping noise, switchyard spreads calls over equally good
// nodes) was not hit by it. `req/call` is the node calls after the fault per client call; `errors`
// counts failed calls by error name.
//
// Prints one table per scenario and writes bench/results/evm.json. Exit code 1 only if the bench
// broke (a worker crashed or did not exit by itself, a run made no call), never for a client's
// figures.
import { fork } from 'node:child_process';
import { benchArgs, cell, printTable, writeResult } from './lib/report.mjs';

const startedAt = performance.now();
const { quick, target = 'primary' } = benchArgs({ target: { type: 'string' } });
if (!['primary', 'busiest'].includes(target)) {
  throw new Error(`--target must be primary or busiest, got '${target}'`);
}
// The results file of the default run is evm.json; the --target busiest variant has its own.
const RESULT_NAME = target === 'primary' ? 'evm' : 'evmBusiest';

const SETTINGS = {
  callers: quick ? 8 : 16,
  warmupMs: quick ? 300 : 1000,
  durationMs: quick ? 3000 : 10_000,
  blockIntervalMs: 1000,
  // An answer more than this many blocks behind the cluster head is stale.
  staleBlocks: 2,
  // A call still running this long after the window fails as BenchCutoff.
  cutoffMs: 10_500,
  target,
};
const CLIENTS = [
  { id: 'viem-fallback', label: 'viem fallback' },
  { id: 'viem-rank', label: 'viem fallback, rank' },
  { id: 'ethers', label: 'ethers FallbackProvider' },
  { id: 'switchyard', label: 'switchyard failover' },
];
const SCENARIOS = [
  { id: 'none', title: 'no fault (baseline)' },
  { id: 'slow', title: 'slow primary (every answer 800 ms late)', fault: { latencyMs: 800 } },
  { id: 'blackhole', title: 'blackholed primary (accepts, never answers)', fault: { blackhole: true } },
  { id: 'refuse', title: 'refusing primary (ECONNREFUSED)', fault: { refuse: true } },
  {
    id: 'flapping',
    title: 'flapping primary (refusing, then listening, every 1.5 s)',
    fault: { refuse: true },
    flapMs: 1500,
  },
  { id: 'lagging', title: 'lagging primary (20 blocks behind)', fault: { lag: 20 } },
];
// Longest a scenario may take before the bench counts as broken: setup, warm-up, the window, the
// cutoff and some slack for a loaded machine.
const SCENARIO_LIMIT_MS = SETTINGS.warmupMs + SETTINGS.durationMs + SETTINGS.cutoffMs + 30_000;
const EXIT_LIMIT_MS = 10_000;
const WORKER = new URL('./evmWorker.mjs', import.meta.url);
const HEADER = [
  'client',
  'ok',
  'failed',
  'calls/s',
  'p50 ms',
  'p99 ms',
  'max ms',
  'stale',
  target === 'primary' ? 'to primary' : 'to faulted',
  'req/call',
  'errors',
];

process.stdout.write(
  `getBlock() through 4 clients, ${SETTINGS.callers} callers each in a closed loop, ` +
    `${SETTINGS.durationMs / 1000} s per run after ${SETTINGS.warmupMs} ms of warm-up; ` +
    `stale = more than ${SETTINGS.staleBlocks} blocks behind the head (a block every ` +
    `${SETTINGS.blockIntervalMs / 1000} s)\n`,
);

const runs = [];
const tables = [];
let broken;
const workers = CLIENTS.map(startWorker);
try {
  for (const scenario of SCENARIOS) {
    const results = await runScenario(scenario);
    runs.push(...results);
    const fault = target === 'primary' ? scenario.title : scenario.title.replace('primary', 'busiest node');
    const title = `${fault}: getBlock(), ${SETTINGS.callers} callers, ${SETTINGS.durationMs / 1000} s`;
    const rows = results.map(row);
    printTable(title, HEADER, rows);
    tables.push({ title, header: HEADER, rows });
    const idle = results.find((run) => run.ok + run.failed === 0);
    if (idle) throw new Error(`${idle.client} made no call in '${scenario.id}'`);
  }
} catch (error) {
  broken = error;
}
// A worker that breaks on its way out breaks the bench too; the first problem is the one reported.
const stopProblem = await stopWorkers();
broken ??= stopProblem;

writeResult(RESULT_NAME, {
  quick,
  startedAt,
  settings: SETTINGS,
  clients: CLIENTS,
  scenarios: SCENARIOS,
  tables,
  runs,
  ...(broken && { error: String(broken?.message ?? broken) }),
});
if (broken) process.stderr.write(`bench broke: ${broken?.stack ?? broken}\n`);
process.exitCode = broken ? 1 : 0;

/** One scenario in every worker at once: each sets up, then all start together. */
async function runScenario(scenario) {
  return withTimeout(
    (async () => {
      for (const worker of workers) worker.child.send({ type: 'run', scenario, settings: SETTINGS });
      await Promise.all(workers.map((worker) => worker.expect('ready')));
      for (const worker of workers) worker.child.send({ type: 'go' });
      const messages = await Promise.all(workers.map((worker) => worker.expect('result')));
      return messages.map((message) => message.run);
    })(),
    SCENARIO_LIMIT_MS,
    `scenario '${scenario.id}'`,
  );
}

function row(run) {
  const label = CLIENTS.find((client) => client.id === run.client)?.label ?? run.client;
  const received = run.nodeCalls.reduce((a, b) => a + b, 0);
  const calls = run.ok + run.failed;
  const errors = Object.entries(run.errors)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  return [
    label,
    run.ok,
    run.failed,
    cell(run.callsPerSec, 0),
    cell(run.latencyMs.p50, 1),
    cell(run.latencyMs.p99, 1),
    cell(run.latencyMs.max, 1),
    run.stale,
    `${share(run.warmupNodeCalls, run.faultedIndex)} → ${share(run.nodeCalls, run.faultedIndex)}`,
    calls === 0 ? '-' : cell(received / calls, 2),
    errors || '-',
  ];
}

/** The faulted node's share of the calls the nodes received, in %. */
function share(nodeCalls, index) {
  const received = nodeCalls.reduce((a, b) => a + b, 0);
  return received === 0 ? '-' : `${((nodeCalls[index] / received) * 100).toFixed(0)} %`;
}

/** A forked worker and its messages, in order; a worker that exits fails what waits on it. */
function startWorker(client) {
  const child = fork(WORKER, [client.id], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox = [];
  const waiters = [];
  let exit;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exit = signal ?? `code ${code}`;
      for (const waiter of waiters.splice(0))
        waiter.reject(new Error(`${client.id} worker exited (${exit})`));
      resolve(exit);
    });
  });
  child.on('message', (message) => {
    const waiter = waiters.shift();
    if (waiter) waiter.resolve(message);
    else inbox.push(message);
  });
  const next = () => {
    if (inbox.length > 0) return Promise.resolve(inbox.shift());
    if (exit) return Promise.reject(new Error(`${client.id} worker exited (${exit})`));
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  };
  return {
    child,
    exited,
    get running() {
      return exit === undefined;
    },
    async expect(type) {
      const message = await next();
      if (message.type === 'error') throw new Error(`${client.id} worker: ${message.message}`);
      if (message.type !== type) throw new Error(`${client.id} worker sent '${message.type}', not '${type}'`);
      return message;
    },
  };
}

/** Asks every worker to exit; one that does not within EXIT_LIMIT_MS left something running. */
async function stopWorkers() {
  for (const worker of workers)
    if (worker.running && worker.child.connected) worker.child.send({ type: 'exit' });
  let problem;
  await Promise.all(
    workers.map(async (worker, i) => {
      const timer = setTimeout(() => {
        problem ??= new Error(`${CLIENTS[i].id} worker did not exit by itself: something kept it alive`);
        worker.child.kill('SIGKILL');
      }, EXIT_LIMIT_MS);
      const how = await worker.exited;
      clearTimeout(timer);
      if (how !== 'code 0') problem ??= new Error(`${CLIENTS[i].id} worker exited with ${how}`);
    }),
  );
  return problem;
}

function withTimeout(promise, ms, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}
