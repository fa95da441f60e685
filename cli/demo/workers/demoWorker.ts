import 'reflect-metadata';
import type { FailoverServer } from '../../../adapters/soroban/index.js';
import { type FailoverStatus, FileStateStore } from '../../../src/index.js';
import { noteFailoverEvents } from '../../terminal/noteFailoverEvents.js';
import { noteLogger } from '../../terminal/noteLogger.js';
import { CallRecorder } from '../CallRecorder.js';
import { sorobanCalls } from '../soroban/sorobanCalls.js';
import { createSorobanDemoServer, SOROBAN_LAG_TOLERANCE } from '../soroban/sorobanDemoServer.js';
import { startWorkload } from '../startWorkload.js';
import type { DemoWorkerConfig, FromWorker, ToWorker, WorkerStatus } from './workerProtocol.js';

// One worker process of `switchyard demo --workers N`, forked by the demo with an IPC channel.
// It does what an app's worker does: its own rpc.Server wrapped with withFailover, sharing health
// through one FileStateStore file with its siblings, and reports to the parent over IPC.

/** A status about four times a second: the parent redraws at that pace. */
const REPORT_MS = 250;

/** Sends to the parent; after the parent has gone there is nobody to tell. */
function send(message: FromWorker): void {
  if (process.connected) process.send?.(message);
}

/** Resolves with the first message of one of these types; `disconnect` (the parent died) with undefined. */
function nextMessage(...types: ToWorker['type'][]): Promise<ToWorker | undefined> {
  return new Promise((resolve) => {
    const onMessage = (message: ToWorker) => {
      if (!types.includes(message.type)) return;
      done();
      resolve(message);
    };
    const onDisconnect = () => {
      done();
      resolve(undefined);
    };
    const done = () => {
      process.off('message', onMessage);
      process.off('disconnect', onDisconnect);
    };
    process.on('message', onMessage);
    process.once('disconnect', onDisconnect);
  });
}

function statusOf(failover: FailoverStatus, recorder: CallRecorder, routeChanges: number): WorkerStatus {
  const { p50Ms, p99Ms } = recorder.latency();
  return {
    endpoints: failover.endpoints.map((e) => ({
      label: e.label,
      state: e.state,
      active: e.id === failover.active?.id,
      probesPerMinute: e.probesPerMinute,
      served: e.served,
    })),
    requests: recorder.requests,
    failed: recorder.failed,
    p50Ms,
    p99Ms,
    routeChanges,
  };
}

/** The closed-loop workload, reporting its status regularly, until the parent says 'stop'. */
async function runTraffic(
  server: FailoverServer,
  recorder: CallRecorder,
  config: DemoWorkerConfig,
  head: number,
  routeChanges: () => number,
): Promise<void> {
  let networkHead = head;
  const onHead = (message: ToWorker) => {
    if (message.type === 'head') networkHead = message.head;
  };
  process.on('message', onHead);
  const startedAt = performance.now();
  // getHealth is left out, so that the getHealth requests a node counts are the probes alone.
  const calls = sorobanCalls(server).filter((spec) => spec.method !== 'getHealth');
  const workload = startWorkload(calls, recorder, {
    callers: config.callers,
    pauseMs: config.pauseMs,
    networkHead: () => networkHead,
    lagTolerance: SOROBAN_LAG_TOLERANCE,
    elapsed: () => performance.now() - startedAt,
  });
  const report = () =>
    send({ type: 'status', status: statusOf(server.failover.status(), recorder, routeChanges()) });
  const ticker = setInterval(report, REPORT_MS);
  try {
    await nextMessage('stop');
  } finally {
    clearInterval(ticker);
    process.off('message', onHead);
    // Before the failover closes: a call cut off by close() would count as a failure.
    await workload.stop();
  }
}

async function runWorker(config: DemoWorkerConfig): Promise<void> {
  const note = (text: string) => send({ type: 'note', text });
  const logger = noteLogger(note);
  const stateStore = new FileStateStore({ path: config.statePath, logger });
  const server = createSorobanDemoServer(config.nodes, {
    probeIntervalMs: config.probeIntervalMs,
    logger,
    stateStore,
  });
  const { failover } = server;
  const events = noteFailoverEvents(failover, note);
  const recorder = new CallRecorder();
  try {
    send({ type: 'ready' });
    const first = await nextMessage('go', 'stop');
    // No parent any more: nobody to report to.
    if (first === undefined) return;
    // 'stop' before 'go' (Ctrl-C while siblings started): no traffic, but still a clean report.
    if (first.type === 'go')
      await runTraffic(server, recorder, config, first.head, () => events.routeChanges);
    const status = statusOf(failover.status(), recorder, events.routeChanges);
    send({ type: 'done', status, calls: recorder.recorded() });
  } finally {
    events.off();
    await failover.close();
    // The store is the app's, not the failover's: closing it is this worker's job.
    await stateStore.close();
  }
}

const configArgument = process.argv[2];
if (!process.send || configArgument === undefined) {
  process.stderr.write('demoWorker runs as a child of `switchyard demo --workers N`\n');
  process.exitCode = 2;
} else {
  // Ctrl-C in a terminal reaches the whole process group: the parent decides when workers stop.
  process.on('SIGINT', () => {});
  // The config comes on the command line, not over IPC: a message sent while this module was
  // still loading would find no listener.
  runWorker(JSON.parse(configArgument) as DemoWorkerConfig)
    .catch((error: unknown) => {
      // The parent reports a worker that ends without 'done', with the last line written here.
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    })
    .finally(() => {
      // The IPC channel is the last thing holding the process: once it is gone, the process ends
      // by itself, which proves the failover and the store left nothing running.
      if (process.connected) process.disconnect();
    });
}
