import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { endpointCells } from '../terminal/endpointColumns.js';
import { millis, seconds } from '../terminal/format.js';
import { type BeaconEventNotes, noteBeaconEvents } from '../terminal/noteBeaconEvents.js';
import { noteFailoverEvents } from '../terminal/noteFailoverEvents.js';
import { noteLogger } from '../terminal/noteLogger.js';
import { createScreen, REFRESH_MS, type ScreenOptions } from '../terminal/screen.js';
import { type StatusPageServer, serveStatusPage, WebListenError } from '../web/serveStatusPage.js';
import type { WebAddress } from '../web/webAddress.js';
import { openWatchClient, type WatchClient } from './openWatchClient.js';
import { DEFAULT_WATCH_INTERVAL_MS } from './watchDefaults.js';
import { WatchError } from './watchError.js';
import { WATCH_KINDS, type WatchKind } from './watchKind.js';
import { loadPrometheus, type MetricsServer, serveMetrics } from './watchMetrics.js';
import { renderWatchSnapshot, renderWatchTable, type WatchGroup, type WatchView } from './watchTable.js';

export interface WatchOptions extends ScreenOptions {
  /** URLs per kind; at least one in all. The first Soroban URL is the wrapped `rpc.Server`'s. */
  endpoints: Partial<Record<WatchKind, readonly string[]>>;
  /** Probe interval of every instance, and how often a plain snapshot is printed. @default 1000 */
  intervalMs?: number | undefined;
  /** How long to watch. @default until `signal` aborts */
  durationMs?: number | undefined;
  /** Serve `GET /metrics` on 127.0.0.1 at this port (0: any free port). @default no server */
  metricsPort?: number | undefined;
  /** Serve the status page (switchyard-rpc/dashboard) here. @default no page */
  web?: WebAddress | undefined;
  /** Aborting it (SIGINT, SIGTERM) stops the watch; everything is closed before it resolves. */
  signal?: AbortSignal | undefined;
}

export interface WatchResult {
  /** How long it watched. */
  elapsedMs: number;
  /** Stopped by the signal rather than by `durationMs`. */
  interrupted: boolean;
  /** The `/metrics` URL it served, if any. */
  metricsUrl: string | undefined;
  /** The status page's URL it served, if any. */
  webUrl: string | undefined;
}

/** A live table may use a wide terminal: labels are URLs. */
const WATCH_MAX_WIDTH = 160;

/**
 * `switchyard watch`: opens what a user would write for each kind of endpoint (Soroban
 * `withFailover`, viem `failover`, `createBeaconHeadMonitor`), makes no call and writes nothing,
 * and shows what the background probes and head streams find, per endpoint by its redacted
 * label: a table redrawn in place on a TTY, a plain snapshot every interval elsewhere, plus a line
 * per state change or route change. With `metricsPort`, serves every instance's metrics on
 * `/metrics` (label `client`: soroban, evm, beacon); with `web`, the status page of every instance
 * (switchyard-rpc/dashboard). Unreachable endpoints show as down with a reason. Runs until `durationMs` passes or `signal` aborts, then closes every instance and the
 * metrics server: nothing is left to keep the process alive.
 *
 * @throws {WatchError} when it cannot start: a missing SDK or prom-client, a port in use (exit
 *   code 1), endpoints the library refuses (exit code 2). Nothing is left running then either.
 * @example
 * const interrupt = new AbortController();
 * process.once('SIGINT', () => interrupt.abort());
 * await runWatch({ endpoints: { beacon: ['http://bn1:5052'] }, signal: interrupt.signal });
 */
export async function runWatch(options: WatchOptions): Promise<WatchResult> {
  const intervalMs = options.intervalMs ?? DEFAULT_WATCH_INTERVAL_MS;
  const kinds = WATCH_KINDS.filter((kind) => (options.endpoints[kind]?.length ?? 0) > 0);
  if (kinds.length === 0) throw new WatchError('watch needs at least one endpoint URL', 2);
  // The watch's clock starts now: --duration includes loading the SDKs and opening the instances.
  const screen = createScreen<WatchView>(
    options,
    { table: renderWatchTable, status: renderWatchSnapshot },
    // Plain mode: the loop below refreshes once per interval, and each refresh is a snapshot.
    { statusEveryMs: 0, maxWidth: WATCH_MAX_WIDTH },
  );
  const live = options.live ?? screen.out.isTTY === true;
  // Before anything opens: without prom-client there is nothing to close.
  const prometheus = options.metricsPort === undefined ? undefined : await loadPrometheus();

  const clients: WatchClient[] = [];
  const beaconNotes = new Map<WatchClient, BeaconEventNotes>();
  const unsubscribe: (() => void)[] = [];
  let metrics: MetricsServer | undefined;
  let web: StatusPageServer | undefined;
  try {
    // Bound before the instances open: a port in use stops the watch before it probes anything.
    if (prometheus && options.metricsPort !== undefined)
      metrics = await serveMetrics(prometheus.registry, options.metricsPort);
    if (options.web) web = await serveWatchPage(options.web);
    const count = kinds.reduce((sum, kind) => sum + options.endpoints[kind]!.length, 0);
    const until = options.durationMs === undefined ? '' : ` for ${millis(options.durationMs)}`;
    screen.out.write(
      `switchyard watch: ${count} endpoint${count === 1 ? '' : 's'} (${kinds.join(', ')}), ` +
        `probes every ${intervalMs} ms, read-only${until}\n`,
    );
    if (metrics) screen.out.write(`metrics: ${metrics.url}\n`);
    if (web) screen.out.write(`web: ${web.url}\n`);
    for (const kind of kinds) {
      const note = (text: string) => screen.note(`${kind}: ${text}`);
      const client = await openWatchClient(kind, options.endpoints[kind]!, {
        probeIntervalMs: intervalMs,
        logger: noteLogger(note),
      });
      clients.push(client);
      // At once: the first probes' state changes are worth a line too.
      if (client.kind === 'beacon') {
        const notes = noteBeaconEvents(client.monitor, note);
        beaconNotes.set(client, notes);
        unsubscribe.push(() => notes.off());
      } else {
        const notes = noteFailoverEvents(client.failover, note);
        unsubscribe.push(() => notes.off());
      }
      prometheus?.register(client.kind === 'beacon' ? client.monitor : client.failover, kind);
    }
    web?.show(
      Object.fromEntries(clients.map((c) => [c.kind, c.kind === 'beacon' ? c.monitor : c.failover])),
      { title: 'switchyard watch', sampleIntervalMs: intervalMs },
    );
    const metricsUrl = metrics?.url;
    const webUrl = web?.url;
    const tick = () =>
      screen.display.refresh({
        elapsedMs: screen.elapsed(),
        durationMs: options.durationMs,
        intervalMs,
        metricsUrl,
        webUrl,
        groups: clients.map((client) => groupOf(client, beaconNotes.get(client))),
      });

    // A terminal shows the table at once; a log gets its first snapshot after one interval.
    if (live) tick();
    const interrupted = await runUntilStopped(tick, live ? REFRESH_MS : intervalMs, screen.elapsed, options);
    const elapsedMs = screen.elapsed();
    tick();
    screen.out.write(`switchyard watch: stopped after ${seconds(elapsedMs)}\n`);
    return { elapsedMs, interrupted, metricsUrl, webUrl };
  } finally {
    for (const off of unsubscribe) off();
    await metrics?.close();
    await web?.close();
    await Promise.all(clients.map((client) => client.close()));
  }
}

/** The status page server, or the watch's error (exit code 1) when its address cannot be bound. */
async function serveWatchPage(address: WebAddress): Promise<StatusPageServer> {
  try {
    return await serveStatusPage(address);
  } catch (error) {
    if (error instanceof WebListenError) throw new WatchError(error.message, 1);
    throw error;
  }
}

/**
 * Calls `tick` every `tickMs` until `durationMs` has passed since the watch started (false) or the
 * signal aborts (true).
 */
async function runUntilStopped(
  tick: () => void,
  tickMs: number,
  elapsed: () => number,
  { durationMs, signal }: Pick<WatchOptions, 'durationMs' | 'signal'>,
): Promise<boolean> {
  if (signal?.aborted) return true;
  // The one timer that keeps the process alive while watching: the library's are unref'd.
  const ticker = setInterval(tick, tickMs);
  try {
    if (durationMs === undefined) {
      if (signal) await once(signal, 'abort');
      else await new Promise<never>(() => {});
      return true;
    }
    await sleep(Math.max(0, durationMs - elapsed()), undefined, { signal });
    return false;
  } catch (error) {
    if (signal?.aborted) return true;
    throw error;
  } finally {
    clearInterval(ticker);
  }
}

/** One client's endpoints as the table shows them now. */
function groupOf(client: WatchClient, notes: BeaconEventNotes | undefined): WatchGroup {
  if (client.kind === 'beacon') {
    const { monitor } = client;
    const { streams, latest } = monitor.status();
    const best = monitor.best()?.id;
    return {
      kind: 'beacon',
      nodes: streams.map((s) => ({
        ...s,
        headSlot: s.head?.slot,
        firsts: notes?.firsts.get(s.label) ?? 0,
        best: s.id === best,
        reason: s.state === 'open' ? undefined : s.lastError,
      })),
      latest: latest && { slot: latest.slot, from: latest.endpoint.label },
    };
  }
  const status = client.failover.status();
  return {
    kind: client.kind,
    active: status.active?.label,
    routeChanges: client.failover.metrics().routeChanges,
    endpoints: status.endpoints.map((e) => ({
      ...endpointCells(e, status),
      lag: e.lag,
      probesPerMinute: e.probesPerMinute,
      reason: e.reason,
    })),
  };
}
