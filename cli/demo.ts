import { setTimeout as sleep } from 'node:timers/promises';
import { rpc } from '@stellar/stellar-sdk';
import { type FailoverServer, withFailover } from '../adapters/soroban/index.js';
import type { FailoverStatus, Logger } from '../src/index.js';
import { SorobanCluster } from '../testing/index.js';
import { CallRecorder } from './CallRecorder.js';
import { describeRouteChange, describeStateChange } from './describeEvent.js';
import { createDisplay, type DemoOutput, type Display } from './display.js';
import { type DemoNodes, faultTimeline } from './faultTimeline.js';
import { seconds } from './format.js';
import { DEFAULT_DEMO_PROBE_INTERVAL_MS, DEFAULT_DEMO_SECONDS } from './parseCommand.js';
import { startWorkload } from './startWorkload.js';
import { type DemoSummary, renderSummary } from './summary.js';
import { TrafficMeter } from './TrafficMeter.js';
import { type DemoView, stamp } from './table.js';

export interface DemoOptions {
  /** How long the workload runs; the fault timeline is scaled to it. @default 30000 */
  durationMs?: number;
  /** Background probe interval of the failover instance. @default 400 */
  probeIntervalMs?: number;
  /** Where the table, the event lines and the summary go. @default process.stdout */
  out?: DemoOutput;
  /** Redraw a live table in place (ANSI) rather than print plain lines. @default out.isTTY */
  live?: boolean;
  /** Aborting it (Ctrl-C) ends the demo early; the summary is still printed and everything closed. */
  signal?: AbortSignal;
}

const LABELS = ['node-a', 'node-b', 'node-c'] as const;
/** Stellar closes a ledger every ~5 s; 1 s makes a lagging node visibly fall behind within the demo. */
const LEDGER_INTERVAL_MS = 1000;
/** Concurrent callers: enough that every fault meets calls in flight. */
const CALLERS = 6;
/** A caller's pause between calls: steady load without spinning a core on localhost round trips. */
const PAUSE_MS = 20;
/** The library default, spelled out because the stale-answer count uses it too. */
const LAG_TOLERANCE = 5;
/** About four redraws a second: smooth enough to watch, cheap enough not to matter. */
const REFRESH_MS = 250;
/** Traffic share in the table is measured over this window, so a route change shows at once. */
const SHARE_WINDOW_MS = 2000;

/**
 * Runs the demo: three simulated Soroban RPC nodes on 127.0.0.1, a user's `rpc.Server`
 * wrapped with `withFailover`, a steady workload of real calls through it, and faults
 * injected on a timeline (primary slow, primary dead, a node lagging, a blackhole, recovery).
 * Shows a live table (or plain lines), writes a summary, closes everything and resolves with
 * the summary. Leaves no timer or socket behind.
 *
 * @example
 * const summary = await runDemo({ durationMs: 10_000 });
 * console.log(summary.failed); // 0: the faults were hidden from the callers
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const durationMs = options.durationMs ?? DEFAULT_DEMO_SECONDS * 1000;
  const out = options.out ?? process.stdout;
  const display = createDisplay(out, options.live ?? out.isTTY === true);
  // Reset when the traffic starts: start-up time is not part of the timeline.
  let startedAt = performance.now();
  const elapsed = () => performance.now() - startedAt;
  const note = (text: string) => display.note(`${stamp(elapsed())} ${text}`);

  out.write(
    `switchyard demo: ${LABELS.length} simulated Soroban RPC nodes on 127.0.0.1, ${CALLERS} callers, ` +
      `${seconds(durationMs)}\n`,
  );
  const cluster = await new SorobanCluster({
    nodes: LABELS.map((name) => ({ name })),
    ledgerIntervalMs: LEDGER_INTERVAL_MS,
  }).start();
  try {
    const [a, b, c] = cluster.nodes;
    // What a user writes: their own rpc.Server, wrapped; node-a is their own node (tier 0),
    // node-b and node-c are backups (tier 1) that share the traffic while node-a is unfit.
    const server = withFailover(new rpc.Server(a!.url, { allowHttp: true }), {
      endpoints: cluster.nodes.map((node, i) => ({
        url: node.url,
        label: node.name,
        priority: i === 0 ? 0 : 1,
      })),
      probeIntervalMs: options.probeIntervalMs ?? DEFAULT_DEMO_PROBE_INTERVAL_MS,
      lagTolerance: LAG_TOLERANCE,
      // The default console logger would scribble over the live table.
      logger: noteLogger(note),
    });
    try {
      startedAt = performance.now();
      const summary = await drive(server, cluster, {
        nodes: { a: a!, b: b!, c: c! },
        durationMs,
        display,
        elapsed,
        note,
        signal: options.signal,
      });
      out.write(`\n${renderSummary(summary).join('\n')}\n`);
      return summary;
    } finally {
      await server.failover.close();
    }
  } finally {
    await cluster.close();
  }
}

interface DriveContext {
  nodes: DemoNodes;
  durationMs: number;
  display: Display;
  elapsed(): number;
  note(text: string): void;
  signal: AbortSignal | undefined;
}

/** Plays the fault timeline under load, refreshing the display; returns the figures. */
async function drive(
  server: FailoverServer,
  cluster: SorobanCluster,
  ctx: DriveContext,
): Promise<DemoSummary> {
  const { failover } = server;
  const { display, elapsed, note, signal, durationMs } = ctx;
  const recorder = new CallRecorder();
  const meter = new TrafficMeter(SHARE_WINDOW_MS);
  const steps = faultTimeline(durationMs);
  let step = 'starting';
  let routeChanges = 0;

  const unsubscribe = [
    failover.on('route-change', (event) => {
      routeChanges++;
      note(describeRouteChange(event));
    }),
    failover.on('endpoint-degraded', (event) => note(describeStateChange(event))),
    failover.on('endpoint-lagging', (event) => note(describeStateChange(event))),
    failover.on('endpoint-recovered', (event) => note(describeStateChange(event))),
  ];
  const view = (status: FailoverStatus): DemoView => ({
    elapsedMs: elapsed(),
    durationMs,
    step,
    endpoints: status.endpoints.map((e) => ({
      label: e.label,
      active: e.id === status.active?.id,
      state: e.state,
      rttMs: e.latency.ewmaMs,
      head: e.head,
      share: meter.recentShare(e.id),
      errors: e.errors,
      note: e.reason,
    })),
    requests: recorder.requests,
    failed: recorder.failed,
    p99Ms: recorder.latency().p99Ms,
    routeChanges,
    shareWindowMs: SHARE_WINDOW_MS,
  });
  const tick = () => {
    const status = failover.status();
    meter.sample(elapsed(), status.endpoints);
    display.refresh(view(status));
  };

  // The zero point of the traffic counters, before the first call.
  meter.sample(0, failover.status().endpoints);
  const workload = startWorkload(server, recorder, {
    callers: CALLERS,
    pauseMs: PAUSE_MS,
    networkHead: () => cluster.head,
    lagTolerance: LAG_TOLERANCE,
    elapsed,
  });
  const ticker = setInterval(tick, REFRESH_MS);
  let interrupted = false;
  try {
    for (const [index, { atMs, label, apply }] of steps.entries()) {
      await sleep(Math.max(0, atMs - elapsed()), undefined, { signal });
      await apply(ctx.nodes);
      step = `step ${index + 1}/${steps.length}: ${label}`;
      note(step);
    }
    await sleep(Math.max(0, durationMs - elapsed()), undefined, { signal });
  } catch (error) {
    if (!signal?.aborted) throw error;
    interrupted = true;
  } finally {
    clearInterval(ticker);
    // Before the failover closes: a call cut off by close() would count as a failure.
    await workload.stop();
    for (const off of unsubscribe) off();
  }
  const ranMs = elapsed();
  tick();
  const { endpoints } = failover.status();
  return {
    durationMs: ranMs,
    interrupted,
    requests: recorder.requests,
    failed: recorder.failed,
    stale: recorder.stale,
    lagTolerance: LAG_TOLERANCE,
    latency: recorder.latency(),
    routeChanges,
    endpoints: endpoints.map((e) => ({
      label: e.label,
      served: meter.totalServed(e.id),
      share: meter.totalShare(e.id),
    })),
    failures: recorder.failures,
  };
}

/**
 * Routes the failover's errors into the demo's event lines. Warnings are left out: they
 * announce the state changes the demo already shows from events.
 */
function noteLogger(note: (text: string) => void): Logger {
  const ignore = () => {};
  return {
    debug: ignore,
    info: ignore,
    warn: ignore,
    error: (obj, msg) => {
      const err = typeof obj === 'object' ? (obj as { err?: unknown }).err : undefined;
      note(`error: ${msg ?? String(obj)}${err instanceof Error ? `: ${err.message}` : ''}`);
    },
  };
}
