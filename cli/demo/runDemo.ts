import type { FailoverStatus } from '../../src/index.js';
import type { ScreenOutput } from '../terminal/display.js';
import { endpointCells } from '../terminal/endpointColumns.js';
import { seconds } from '../terminal/format.js';
import { noteFailoverEvents } from '../terminal/noteFailoverEvents.js';
import { noteLogger } from '../terminal/noteLogger.js';
import { createScreen, REFRESH_MS, type Screen } from '../terminal/screen.js';
import type { StatusPageServer } from '../web/serveStatusPage.js';
import { CallRecorder } from './CallRecorder.js';
import {
  DEMO_NODE_LABELS,
  type DemoChain,
  type DemoChainName,
  type DemoChainRun,
  type DemoNodeSource,
  loadDemoChain,
} from './DemoChain.js';
import {
  CALLERS,
  DEFAULT_DEMO_PROBE_INTERVAL_MS,
  DEFAULT_DEMO_SECONDS,
  DEMO_PAGE_SAMPLE_MS,
  PAUSE_MS,
} from './demoDefaults.js';
import { type DemoSummary, renderDemoSummary } from './demoSummary.js';
import { type DemoView, renderDemoStatus, renderDemoTable } from './demoTable.js';
import { startWorkload } from './startWorkload.js';
import { TimelinePlayer } from './TimelinePlayer.js';
import { TrafficMeter } from './TrafficMeter.js';

export interface DemoOptions {
  /** The simulated chain: Soroban RPC nodes, or EVM nodes behind a viem client. @default 'soroban' */
  chain?: DemoChainName;
  /** Simulated nodes, or real anvil nodes (EVM only: `chain: 'evm'`). @default 'simulated' */
  nodes?: DemoNodeSource;
  /** How long the workload runs; the fault timeline is scaled to it. @default 30000 */
  durationMs?: number;
  /** Background probe interval of the failover instance. @default 400 */
  probeIntervalMs?: number;
  /** Where the table, the event lines and the summary go. @default process.stdout */
  out?: ScreenOutput;
  /** Redraw a live table in place (ANSI) rather than print plain lines. @default out.isTTY */
  live?: boolean;
  /** Aborting it (Ctrl-C) ends the demo early; the summary is still printed and everything closed. */
  signal?: AbortSignal;
  /**
   * The status page of `--web`: shows this run's instance (the failover; a beacon part's monitor)
   * once it is open, and its URL in the table. The caller closes it. @default no page
   */
  web?: StatusPageServer | undefined;
}

/** Traffic share in the table is measured over this window, so a route change shows at once. */
const SHARE_WINDOW_MS = 2000;

/**
 * Runs the demo: three simulated nodes on 127.0.0.1 (Soroban RPC by default, or EVM), the
 * user's own client wrapped with failover (`withFailover` around an `rpc.Server`, or a viem
 * client on the `failover` transport), a steady workload of real calls through it, and faults
 * injected on a timeline (primary slow, primary dead, a node lagging, a blackhole, recovery).
 * Shows a live table (or plain lines), writes a summary, closes everything and resolves with
 * the summary. Leaves no timer or socket behind.
 *
 * @example
 * const summary = await runDemo({ chain: 'evm', durationMs: 10_000 });
 * console.log(summary.failed); // 0: the faults were hidden from the callers
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const durationMs = options.durationMs ?? DEFAULT_DEMO_SECONDS * 1000;
  const chainName = options.chain ?? 'soroban';
  const chain = await loadDemoChain(chainName, options.nodes);
  const screen = createScreen(options, { table: renderDemoTable, status: renderDemoStatus });

  screen.out.write(
    `switchyard demo: ${DEMO_NODE_LABELS.length} ${chain.nodeSource} ${chain.nodeKind} nodes on 127.0.0.1, ` +
      `${CALLERS} callers, ${seconds(durationMs)}\n`,
  );
  const run = await chain.start({
    probeIntervalMs: options.probeIntervalMs ?? DEFAULT_DEMO_PROBE_INTERVAL_MS,
    logger: noteLogger(screen.note),
  });
  try {
    options.web?.show(
      { [chainName]: run.failover },
      { title: `switchyard demo · ${chainName}`, sampleIntervalMs: DEMO_PAGE_SAMPLE_MS },
    );
    screen.restart();
    const summary = await drive(chain, run, {
      durationMs,
      screen,
      signal: options.signal,
      webUrl: options.web?.url,
    });
    screen.out.write(`\n${renderDemoSummary(summary).join('\n')}\n`);
    return summary;
  } finally {
    await run.close();
  }
}

interface DriveContext {
  durationMs: number;
  screen: Screen<DemoView>;
  signal: AbortSignal | undefined;
  webUrl: string | undefined;
}

/** Plays the fault timeline under load, refreshing the display; returns the figures. */
async function drive(chain: DemoChain, run: DemoChainRun, ctx: DriveContext): Promise<DemoSummary> {
  const { failover } = run;
  const { screen, signal, durationMs } = ctx;
  const { display, elapsed, note } = screen;
  const recorder = new CallRecorder();
  const meter = new TrafficMeter(SHARE_WINDOW_MS);
  const timeline = new TimelinePlayer(run.timeline(durationMs), { durationMs, elapsed, note, signal });
  const events = noteFailoverEvents(failover, note);
  const view = (status: FailoverStatus): DemoView => ({
    nodeKind: chain.nodeKind,
    nodeSource: chain.nodeSource,
    elapsedMs: elapsed(),
    durationMs,
    step: timeline.step,
    endpoints: status.endpoints.map((e) => ({
      ...endpointCells(e, status),
      share: meter.recentShare(e.id),
      note: e.reason,
    })),
    requests: recorder.requests,
    failed: recorder.failed,
    p99Ms: recorder.latency().p99Ms,
    routeChanges: events.routeChanges,
    shareWindowMs: SHARE_WINDOW_MS,
    webUrl: ctx.webUrl,
  });
  const tick = () => {
    const status = failover.status();
    meter.sample(elapsed(), status.endpoints);
    display.refresh(view(status));
  };

  // The zero point of the traffic counters, before the first call.
  meter.sample(0, failover.status().endpoints);
  const workload = startWorkload(run.calls, recorder, {
    callers: CALLERS,
    pauseMs: PAUSE_MS,
    networkHead: run.networkHead,
    lagTolerance: chain.lagTolerance,
    elapsed,
  });
  let interrupted: boolean;
  try {
    ({ interrupted } = await timeline.play(tick, REFRESH_MS));
  } finally {
    // Before the failover closes: a call cut off by close() would count as a failure.
    await workload.stop();
    events.off();
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
    lagTolerance: chain.lagTolerance,
    headUnit: chain.headUnit,
    latency: recorder.latency(),
    routeChanges: events.routeChanges,
    endpoints: endpoints.map((e) => ({
      label: e.label,
      served: meter.totalServed(e.id),
      share: meter.totalShare(e.id),
    })),
    failures: recorder.failures,
  };
}
