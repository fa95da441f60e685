// Benchmark of StateStore.update(): FileStateStore shared by 1, 4 and 8 real processes on one
// file, RedisStateStore shared by as many processes on one namespace of a private redis-server,
// and MemoryStateStore in one process as a baseline. Every process increments one counter a fixed
// number of times; the final counter must equal the total, or updates were lost.
//
//   npm run bench:state                # about a minute on 2 cores
//   npm run bench:state -- --quick     # fewer updates, a few seconds
//   npm run bench:state -- --no-redis  # the file and memory stores only
//
// The Redis rows need redis-server ($REDIS_SERVER, else on PATH): the bench starts its own on a
// free port of 127.0.0.1 (test/redisProcess.mjs, as the tests do) and stops it at the end. Without
// one they are left out, with a note. Runs against the built package (`npm run build` first; the
// npm script does it). Prints the results and a file-vs-Redis table and writes
// bench/results/stateStore.json. Exit code 1 when a counter is off or a process failed.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FileStateStore } from 'switchyard-rpc';
import { findRedisServer, startRedisServer } from '../test/redisProcess.mjs';
import { machineInfo, percentiles, printTable, round } from './lib/report.mjs';

// The worker's counter record (bench/stateStoreWorker.mjs uses the same id).
const COUNTER_ID = 'bench';
// Per process. Default: enough updates for stable percentiles at 8 processes, within a minute.
const UPDATES = { default: 600, quick: 100 };
// `inFlight`: concurrent updates per process; the last scenario shows what a process's group
// commit (its queued updates share one lock and one write) does under contention.
// File and Redis alternate, so each pair runs under the same machine load.
const SCENARIOS = [
  { store: 'memory', processes: 1, inFlight: 1 },
  { store: 'file', processes: 1, inFlight: 1 },
  { store: 'redis', processes: 1, inFlight: 1 },
  { store: 'file', processes: 4, inFlight: 1 },
  { store: 'redis', processes: 4, inFlight: 1 },
  { store: 'file', processes: 8, inFlight: 1 },
  { store: 'redis', processes: 8, inFlight: 1 },
  { store: 'file', processes: 4, inFlight: 4 },
  { store: 'redis', processes: 4, inFlight: 4 },
];
// A run that takes longer has a hung process: kill it rather than hang the bench.
const RUN_TIMEOUT_MS = 120_000;
const TIMING_HEADER = ['wall s', 'p50 ms', 'p99 ms', 'max ms'];
const WORKER = new URL('./stateStoreWorker.mjs', import.meta.url);
const RESULTS = new URL('./results/stateStore.json', import.meta.url);

const { values } = parseArgs({
  options: { quick: { type: 'boolean' }, 'no-redis': { type: 'boolean' } },
  strict: true,
});
const updatesPerProcess = values.quick ? UPDATES.quick : UPDATES.default;

// The private redis-server of this run, if there is one (see the header).
const redisLookup = values['no-redis']
  ? { found: false, reason: 'left out (--no-redis)' }
  : findRedisServer();
if (!redisLookup.found) process.stderr.write(`Redis rows skipped: ${redisLookup.reason}\n`);
const redis = redisLookup.found ? await startRedisServer() : undefined;

const runs = [];
try {
  for (const scenario of SCENARIOS) {
    if (scenario.store === 'redis' && !redis) continue;
    runs.push(await runScenario(scenario, updatesPerProcess));
  }
} finally {
  await redis?.stop();
}

const machine = {
  ...machineInfo(),
  redis: redisLookup.found ? redisLookup.version : undefined,
};
printResults(runs, machine);
mkdirSync(new URL('.', RESULTS), { recursive: true });
writeFileSync(
  RESULTS,
  `${JSON.stringify({ date: new Date().toISOString(), machine, updatesPerProcess, runs }, null, 2)}\n`,
);
process.stdout.write(`\nwritten to bench/results/stateStore.json\n`);
const bad = runs.filter((run) => !run.ok);
for (const run of bad) {
  process.stderr.write(
    `FAIL ${run.store} × ${run.processes} (${run.inFlight} in flight): counter ${run.finalCounter}, expected ${run.expected}` +
      `${run.errors > 0 ? `, ${run.errors} updates failed (${run.firstError})` : ''}\n`,
  );
}
process.exitCode = bad.length > 0 ? 1 : 0;

/**
 * Forks the processes on a fresh file (or a fresh Redis namespace), starts them together, collects
 * and checks their figures.
 */
async function runScenario({ store, processes, inFlight }, count) {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  const path = join(dir, 'state.json');
  // The worker's store: the file, or the Redis server and a namespace of this run's own.
  const location = store === 'redis' ? { url: redis.url, namespace: `bench-${randomUUID()}` } : { path };
  const children = Array.from({ length: processes }, () =>
    fork(WORKER, [store, JSON.stringify(location), String(count), String(inFlight)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const timer = setTimeout(() => {
    for (const child of children) child.kill('SIGKILL');
  }, RUN_TIMEOUT_MS);
  try {
    const results = children.map(collect);
    // Start together, after every process has loaded the package: contention from the first update.
    await Promise.all(children.map((child) => nextMessage(child, 'ready')));
    const started = performance.now();
    for (const child of children) child.send('go');
    const perProcess = await Promise.all(results);
    const wallMs = performance.now() - started;
    const finalCounter =
      store === 'memory'
        ? perProcess[0].counter
        : ((await readState(store, location)).endpoints[COUNTER_ID]?.head ?? 0);
    return summarise({ store, processes, inFlight, count, wallMs, perProcess, finalCounter });
  } finally {
    clearTimeout(timer);
    // After a failure half-way, the others would wait for 'go' forever.
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Resolves with the worker's result message; a worker that exits without one counts as failed. */
function collect(child) {
  return new Promise((resolve) => {
    let result;
    child.on('message', (message) => {
      if (typeof message === 'object') result = message;
    });
    child.once('exit', (code, signal) => {
      resolve(
        result ?? {
          pid: child.pid,
          updates: 0,
          errors: 1,
          firstError: `process exited (${signal ?? `code ${code}`}) without a result`,
          wallMs: 0,
          latencies: [],
        },
      );
    });
  });
}

function nextMessage(child, expected) {
  return new Promise((resolve, reject) => {
    child.on('message', (message) => {
      if (message === expected) resolve();
    });
    child.once('exit', (code) => reject(new Error(`a worker exited (code ${code}) before '${expected}'`)));
  });
}

async function readState(kind, location) {
  const store =
    kind === 'redis'
      ? new (await import('switchyard-rpc/redis')).RedisStateStore(location)
      : new FileStateStore(location);
  try {
    return await store.read();
  } finally {
    await store.close();
  }
}

function summarise({ store, processes, inFlight, count, wallMs, perProcess, finalCounter }) {
  const all = perProcess.flatMap((p) => p.latencies);
  const updates = perProcess.reduce((sum, p) => sum + p.updates, 0);
  const errors = perProcess.reduce((sum, p) => sum + p.errors, 0);
  const expected = processes * count;
  return {
    store,
    processes,
    inFlight,
    updates,
    errors,
    firstError: perProcess.find((p) => p.firstError)?.firstError,
    wallMs: round(wallMs),
    updatesPerSec: round((updates / wallMs) * 1000),
    latencyMs: percentiles(all),
    expected,
    finalCounter,
    // Lost updates (counter below the successes) and failed updates both fail the bench.
    ok: finalCounter === expected && errors === 0,
    perProcess: perProcess.map((p) => ({
      pid: p.pid,
      updates: p.updates,
      errors: p.errors,
      wallMs: round(p.wallMs),
      latencyMs: percentiles(p.latencies),
    })),
  };
}

function printResults(results, machine) {
  process.stdout.write(
    `StateStore.update() — ${machine.cpus} × ${machine.cpuModel}, node ${machine.node}` +
      `${machine.redis ? `, ${machine.redis.replace(/ sha=.*/, '')}` : ''}\n\n`,
  );
  printTable(
    undefined,
    ['store', 'procs', 'in flight', 'updates', 'updates/s', 'counter', ...TIMING_HEADER],
    results.map((r) => [
      r.store,
      r.processes,
      r.inFlight,
      r.updates,
      r.updatesPerSec.toFixed(0),
      `${r.finalCounter}/${r.expected}${r.ok ? '' : ' !'}`,
      ...timing(r),
    ]),
  );
  printComparison(results);
  printTable(
    'per process',
    ['store', 'procs', 'in flight', 'pid', 'updates', ...TIMING_HEADER],
    results.flatMap((r) =>
      r.perProcess.map((p) => [
        r.store,
        r.processes,
        r.inFlight,
        p.pid,
        p.errors > 0 ? `${p.updates}+${p.errors} failed` : p.updates,
        ...timing(p),
      ]),
    ),
  );
}

/** File and Redis side by side, one row per number of processes and updates in flight. */
function printComparison(results) {
  const pairs = results
    .filter((r) => r.store === 'file')
    .map((file) => ({
      file,
      redis: results.find(
        (r) => r.store === 'redis' && r.processes === file.processes && r.inFlight === file.inFlight,
      ),
    }))
    .filter((pair) => pair.redis);
  if (pairs.length === 0) return;
  const ms = (value) => (value === undefined ? '-' : value.toFixed(2));
  printTable(
    'file vs redis',
    [
      'procs',
      'in flight',
      'file p50',
      'redis p50',
      'file p99',
      'redis p99',
      'file upd/s',
      'redis upd/s',
      'redis/file upd/s',
    ],
    pairs.map(({ file, redis }) => [
      file.processes,
      file.inFlight,
      ms(file.latencyMs.p50),
      ms(redis.latencyMs.p50),
      ms(file.latencyMs.p99),
      ms(redis.latencyMs.p99),
      file.updatesPerSec.toFixed(0),
      redis.updatesPerSec.toFixed(0),
      `${(redis.updatesPerSec / file.updatesPerSec).toFixed(1)}×`,
    ]),
  );
}

function timing({ wallMs, latencyMs }) {
  const ms = (value) => (value === undefined ? '-' : value.toFixed(2));
  return [(wallMs / 1000).toFixed(2), ms(latencyMs.p50), ms(latencyMs.p99), ms(latencyMs.max)];
}
