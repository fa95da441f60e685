import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SorobanCluster } from '../../../testing/index.js';
import { seconds } from '../../terminal/format.js';
import { createScreen, REFRESH_MS, type Screen } from '../../terminal/screen.js';
import { CallRecorder } from '../CallRecorder.js';
import { DEMO_NODE_LABELS } from '../DemoChain.js';
import { CALLERS, DEFAULT_DEMO_PROBE_INTERVAL_MS, DEFAULT_DEMO_SECONDS, PAUSE_MS } from '../demoDefaults.js';
import type { DemoOptions } from '../runDemo.js';
import { sorobanDemoChain, sorobanTimeline } from '../soroban/sorobanDemoChain.js';
import { startSorobanDemoCluster } from '../soroban/sorobanDemoCluster.js';
import { SOROBAN_LAG_TOLERANCE } from '../soroban/sorobanDemoServer.js';
import { TimelinePlayer } from '../TimelinePlayer.js';
import { TrafficMeter } from '../TrafficMeter.js';
import { DemoWorkerProcess, type WorkerEnd } from './DemoWorkerProcess.js';
import { renderWorkersSummary, type WorkerFigures, type WorkersDemoSummary } from './workersSummary.js';
import { renderWorkersStatus, renderWorkersTable, type WorkersView } from './workersTable.js';

export interface WorkersDemoOptions extends Omit<DemoOptions, 'chain' | 'web'> {
  /** Worker processes sharing one FileStateStore; 1 to 16. */
  workers: number;
  /**
   * The worker script. @default `demoWorker.js` next to this module:
   * `dist/cli/demo/workers/demoWorker.js` when run from the build (tests running from source must
   * point at the build).
   */
  workerScript?: URL;
}

/** Probes per second at the nodes are measured over this window: long enough to hold several intervals. */
const PROBE_WINDOW_MS = 2000;
/** Sixteen workers loading the SDK on two cores take a few seconds; one that takes this long is stuck. */
const READY_TIMEOUT_MS = 30_000;

/**
 * The demo with `workers` processes, like an app's workers on one host: each wraps its own
 * `rpc.Server` with `withFailover`, all share health through one `FileStateStore` file in a
 * temp directory. The parent runs the simulated nodes and the fault timeline and shows, per
 * worker, what it sees and the probes it sent, and the probes the nodes received per probe
 * interval in all (one per interval when probing is shared, up to one per worker without).
 * Stops every worker, removes the temp directory and resolves with the summary. A worker that
 * crashes is reported in the table and the summary; the demo goes on without it.
 *
 * @example
 * const summary = await runWorkersDemo({ workers: 3, durationMs: 10_000 });
 * console.log(summary.probesPerInterval); // [{ label: 'node-a', measured: 0.1 }, ...]
 */
export async function runWorkersDemo(options: WorkersDemoOptions): Promise<WorkersDemoSummary> {
  const durationMs = options.durationMs ?? DEFAULT_DEMO_SECONDS * 1000;
  const probeIntervalMs = options.probeIntervalMs ?? DEFAULT_DEMO_PROBE_INTERVAL_MS;
  const screen = createScreen(options, { table: renderWorkersTable, status: renderWorkersStatus });
  // About the single-process demo's load, split between the workers (each has one caller at least).
  const callers = Math.max(1, Math.round(CALLERS / options.workers));

  screen.out.write(
    `switchyard demo: ${DEMO_NODE_LABELS.length} simulated nodes, ${options.workers} worker processes ` +
      `× ${callers} callers sharing one state file, ${seconds(durationMs)}\n`,
  );
  const cluster = await startSorobanDemoCluster();
  const directory = await mkdtemp(join(tmpdir(), 'switchyard-demo-'));
  try {
    const nodes = cluster.nodes.map(({ name, url }) => ({ name, url }));
    const workers = Array.from(
      { length: options.workers },
      (_, i) =>
        new DemoWorkerProcess({
          script: options.workerScript ?? new URL('./demoWorker.js', import.meta.url),
          config: {
            index: i + 1,
            nodes,
            statePath: join(directory, 'health.json'),
            probeIntervalMs,
            callers,
            pauseMs: PAUSE_MS,
          },
          onNote: screen.note,
        }),
    );
    try {
      await whenReady(workers, options.signal, screen.note);
      screen.restart();
      const summary = await drive({ cluster, workers, screen, durationMs, probeIntervalMs }, options.signal);
      screen.out.write(`\n${renderWorkersSummary(summary).join('\n')}\n`);
      return summary;
    } finally {
      // Also on the way out of an error: no worker is left behind.
      await Promise.all(workers.map((worker) => worker.stop()));
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
    await cluster.close();
  }
}

/** Waits until every worker is ready, has crashed, or was given up on; throws when none is left. */
async function whenReady(
  workers: readonly DemoWorkerProcess[],
  signal: AbortSignal | undefined,
  note: (text: string) => void,
): Promise<void> {
  const giveUp = new AbortController();
  const onAbort = () => giveUp.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race([
      Promise.allSettled(workers.map((worker) => worker.ready)),
      sleep(READY_TIMEOUT_MS, undefined, { signal: giveUp.signal }).catch(() => {}),
    ]);
  } finally {
    giveUp.abort();
    signal?.removeEventListener('abort', onAbort);
  }
  for (const worker of workers) {
    if (worker.isReady || worker.end || signal?.aborted) continue;
    note(`${worker.name} did not start within ${seconds(READY_TIMEOUT_MS)}; stopping it`);
    void worker.stop();
  }
  if (!signal?.aborted && !workers.some((worker) => worker.isReady && !worker.end)) {
    throw new Error('no demo worker process started; see the lines above');
  }
}

interface DriveContext {
  cluster: SorobanCluster;
  workers: readonly DemoWorkerProcess[];
  screen: Screen<WorkersView>;
  durationMs: number;
  probeIntervalMs: number;
}

/** Starts the workers' traffic, plays the fault timeline, stops the workers; returns the figures. */
async function drive(ctx: DriveContext, signal: AbortSignal | undefined): Promise<WorkersDemoSummary> {
  const { cluster, workers, screen, durationMs, probeIntervalMs } = ctx;
  const { display, elapsed, note } = screen;
  const timeline = new TimelinePlayer(sorobanTimeline(cluster, durationMs), {
    durationMs,
    elapsed,
    note,
    signal,
  });
  // getHealth requests at each node: the workers' calls leave getHealth out, so these are probes.
  const probes = new TrafficMeter(PROBE_WINDOW_MS);
  const sampleProbes = () =>
    probes.sample(
      elapsed(),
      cluster.nodes.map((node) => ({ id: node.name, served: node.stats().byMethod['getHealth'] ?? 0 })),
    );
  const view = (): WorkersView => ({
    elapsedMs: elapsed(),
    durationMs,
    step: timeline.step,
    endpoints: cluster.nodes.map((node) => node.name),
    workers: workers.map((w) => ({
      name: w.name,
      status: w.status,
      crashed: w.end?.kind === 'crashed' ? w.end.reason : undefined,
    })),
    probesPerSecond: cluster.nodes.map((node) => probes.recentRate(node.name)),
    probeWindowMs: PROBE_WINDOW_MS,
    probeIntervalMs,
  });
  const tick = () => {
    sampleProbes();
    for (const worker of workers) worker.send({ type: 'head', head: cluster.head });
    display.refresh(view());
  };

  // The zero point of the probe counters: probes sent while the workers started do not count.
  sampleProbes();
  for (const worker of workers) worker.send({ type: 'go', head: cluster.head });
  const { interrupted } = await timeline.play(tick, REFRESH_MS);
  const ranMs = elapsed();
  tick();
  const ends = await Promise.all(workers.map((worker) => worker.stop()));
  return summarise(workers, ends, {
    durationMs: ranMs,
    interrupted,
    probeIntervalMs,
    probesPerInterval: cluster.nodes.map((node) => ({
      label: node.name,
      measured: ranMs > 0 ? probes.totalServed(node.name) / (ranMs / probeIntervalMs) : 0,
    })),
  });
}

/** Adds up the workers' figures: the last status of each, and every call of those that reported. */
function summarise(
  workers: readonly DemoWorkerProcess[],
  ends: readonly WorkerEnd[],
  run: Pick<WorkersDemoSummary, 'durationMs' | 'interrupted' | 'probeIntervalMs' | 'probesPerInterval'>,
): WorkersDemoSummary {
  const recorder = new CallRecorder();
  const served = new Map<string, number>();
  const figures: WorkerFigures[] = [];
  let requests = 0;
  let failed = 0;
  let routeChanges = 0;
  for (const [i, worker] of workers.entries()) {
    const end = ends[i]!;
    const status = worker.status;
    if (end.kind === 'done') {
      const failures = end.calls.failures.map((f) => ({ ...f, method: `${worker.name} ${f.method}` }));
      recorder.add({ ...end.calls, failures });
    }
    // A crashed worker's calls since its last report are lost with it; its last counts stand.
    requests += status?.requests ?? 0;
    failed += status?.failed ?? 0;
    routeChanges += status?.routeChanges ?? 0;
    for (const e of status?.endpoints ?? []) served.set(e.label, (served.get(e.label) ?? 0) + e.served);
    figures.push({
      name: worker.name,
      requests: status?.requests ?? 0,
      failed: status?.failed ?? 0,
      p50Ms: status?.p50Ms,
      p99Ms: status?.p99Ms,
      crashed: end.kind === 'crashed' ? end.reason : undefined,
    });
  }
  const totalServed = [...served.values()].reduce((sum, n) => sum + n, 0);
  return {
    ...run,
    requests,
    failed,
    stale: recorder.stale,
    lagTolerance: SOROBAN_LAG_TOLERANCE,
    headUnit: sorobanDemoChain.headUnit,
    latency: recorder.latency(),
    routeChanges,
    endpoints: [...served].map(([label, count]) => ({
      label,
      served: count,
      share: totalServed === 0 ? undefined : count / totalServed,
    })),
    failures: recorder.failures,
    workers: figures,
  };
}
