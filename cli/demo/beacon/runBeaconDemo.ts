import { type BeaconHeadMonitor, createBeaconHeadMonitor } from '../../../adapters/beacon/index.js';
import type { BeaconCluster } from '../../../testing/beacon.js';
import { seconds } from '../../terminal/format.js';
import { type BeaconEventNotes, noteBeaconEvents } from '../../terminal/noteBeaconEvents.js';
import { noteLogger } from '../../terminal/noteLogger.js';
import { createScreen, REFRESH_MS, type Screen } from '../../terminal/screen.js';
import { DEMO_NODE_LABELS } from '../DemoChain.js';
import {
  DEFAULT_BEACON_DEMO_SECONDS,
  DEFAULT_DEMO_PROBE_INTERVAL_MS,
  DEMO_PAGE_SAMPLE_MS,
} from '../demoDefaults.js';
import type { DemoOptions } from '../runDemo.js';
import { TimelinePlayer } from '../TimelinePlayer.js';
import { BeaconRecoveries } from './BeaconRecoveries.js';
import { BEACON_DEMO_SLOT_MS, startBeaconDemoCluster } from './beaconDemoCluster.js';
import { type BeaconDemoSummary, renderBeaconSummary } from './beaconSummary.js';
import { type BeaconView, renderBeaconStatus, renderBeaconTable } from './beaconTable.js';
import { beaconTimeline } from './beaconTimeline.js';
import { waitUntil } from './waitUntil.js';

export interface BeaconDemoOptions extends Omit<DemoOptions, 'chain'> {
  /** Slot length of the simulated beacon chain, whole ms of at least 10. @default 500 */
  slotMs?: number;
}

/** Three streams opening and a first head take a few slots; on a loaded machine allow more. */
const STARTUP_SLOTS = 20;
/** After the last slot: its head may still be on its way (event delays, a reconnection). */
const LAST_HEAD_SLOTS = 3;
const MIN_WAIT_MS = 1000;

/**
 * Runs the beacon part of the demo: three simulated beacon nodes on 127.0.0.1 with short slots,
 * a `createBeaconHeadMonitor` holding one SSE head stream per node, and faults injected on a
 * timeline (dropped and stalled streams, a malformed event, a dead node, a 503, a lagging node).
 * Shows a live table of the streams (or plain lines), writes a summary, closes the monitor and the
 * nodes and resolves with the summary. Leaves no timer or socket behind.
 *
 * @example
 * const summary = await runBeaconDemo({ durationMs: 10_000 });
 * console.log(summary.slots.missed); // []: every slot announced while a node streamed
 */
export async function runBeaconDemo(options: BeaconDemoOptions = {}): Promise<BeaconDemoSummary> {
  const durationMs = options.durationMs ?? DEFAULT_BEACON_DEMO_SECONDS * 1000;
  const screen = createScreen(options, { table: renderBeaconTable, status: renderBeaconStatus });
  const cluster = await startBeaconDemoCluster(options.slotMs ?? BEACON_DEMO_SLOT_MS);
  try {
    screen.out.write(
      `switchyard demo: ${DEMO_NODE_LABELS.length} simulated beacon nodes on 127.0.0.1, one head stream ` +
        `each, slots of ${cluster.slotMs} ms, ${seconds(durationMs)}\n`,
    );
    // What a user writes: the nodes, and the chain's timing (else read from the first node).
    const monitor = createBeaconHeadMonitor({
      candidates: cluster.nodes.map((node) => ({ url: node.url, label: node.name })),
      genesisTime: cluster.genesisTime,
      secondsPerSlot: cluster.slotMs / 1000,
      probeIntervalMs: options.probeIntervalMs ?? DEFAULT_DEMO_PROBE_INTERVAL_MS,
      logger: noteLogger(screen.note),
    });
    options.web?.show(
      { beacon: monitor },
      { title: 'switchyard demo · beacon', sampleIntervalMs: DEMO_PAGE_SAMPLE_MS },
    );
    try {
      await waitUntil(() => streaming(monitor, cluster), {
        timeoutMs: Math.max(STARTUP_SLOTS * cluster.slotMs, MIN_WAIT_MS),
        everyMs: cluster.slotMs / 10,
        signal: options.signal,
      });
      screen.restart();
      const summary = await drive({
        cluster,
        monitor,
        screen,
        durationMs,
        signal: options.signal,
        webUrl: options.web?.url,
      });
      screen.out.write(`\n${renderBeaconSummary(summary).join('\n')}\n`);
      return summary;
    } finally {
      await monitor.close();
    }
  } finally {
    await cluster.close();
  }
}

/** Every stream open and the network's head announced: the run can start. */
function streaming(monitor: BeaconHeadMonitor, cluster: BeaconCluster): boolean {
  const { streams, latest } = monitor.status();
  return streams.every((s) => s.connected) && latest !== undefined && latest.slot >= cluster.slot;
}

interface DriveContext {
  cluster: BeaconCluster;
  monitor: BeaconHeadMonitor;
  screen: Screen<BeaconView>;
  durationMs: number;
  signal: AbortSignal | undefined;
  webUrl: string | undefined;
}

/** Plays the fault timeline, refreshing the display; returns the figures. */
async function drive(ctx: DriveContext): Promise<BeaconDemoSummary> {
  const { cluster, monitor, screen, durationMs, signal } = ctx;
  const { display, elapsed, note } = screen;
  const { slotMs } = cluster;
  const recoveries = new BeaconRecoveries(() => monitor.status().streams, elapsed, slotMs);
  const timeline = new TimelinePlayer(
    beaconTimeline(cluster, durationMs, (fault) => recoveries.watch(fault)),
    { durationMs, elapsed, note, signal },
  );
  const events = noteBeaconEvents(monitor, note);
  // Slots after this one start during the run: their heads all reach the listeners above.
  const startSlot = cluster.slot;
  const tick = () => display.refresh(viewOf(ctx, timeline.step, events));

  let interrupted: boolean;
  let lastSlot: number;
  try {
    ({ interrupted } = await timeline.play(tick, REFRESH_MS));
    lastSlot = cluster.slot;
    // Not bound to the signal: after Ctrl-C too, the last head gets its moment to arrive.
    await waitUntil(
      () => events.announced.has(lastSlot) && recoveries.list.every((r) => r.slots !== undefined),
      {
        timeoutMs: Math.max(LAST_HEAD_SLOTS * slotMs, MIN_WAIT_MS),
        everyMs: slotMs / 20,
      },
    );
    recoveries.check();
  } finally {
    events.off();
    recoveries.close();
  }
  const ranMs = elapsed();
  tick();
  const slots: number[] = [];
  for (let slot = startSlot + 1; slot <= lastSlot; slot++) slots.push(slot);
  return {
    durationMs: ranMs,
    interrupted,
    slotMs,
    slots: {
      first: startSlot + 1,
      last: lastSlot,
      produced: slots.length,
      announced: slots.filter((slot) => events.announced.has(slot)).length,
      missed: slots.filter((slot) => !events.announced.has(slot)),
    },
    nodes: monitor.status().streams.map((s) => ({
      label: s.label,
      firsts: events.firsts.get(s.label) ?? 0,
      ...s.metrics,
    })),
    recoveries: recoveries.list,
    monitorErrors: events.errors,
  };
}

/** The monitor and the network as the table shows them now. */
function viewOf(ctx: DriveContext, step: string, events: BeaconEventNotes): BeaconView {
  const { monitor, cluster, screen, durationMs } = ctx;
  const { streams, latest } = monitor.status();
  return {
    elapsedMs: screen.elapsed(),
    durationMs,
    step,
    nodes: streams.map((s) => ({ ...s, headSlot: s.head?.slot, firsts: events.firsts.get(s.label) ?? 0 })),
    latest: latest && { slot: latest.slot, from: latest.endpoint.label },
    clusterSlot: cluster.slot,
    best: monitor.best()?.label,
    webUrl: ctx.webUrl,
  };
}
