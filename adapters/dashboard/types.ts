import type {
  Endpoint,
  FailoverMetrics,
  FailoverStatus,
  HeadMonitorMetrics,
  HeadMonitorStatus,
  RequestOutcome,
  Unsubscribe,
} from '../../src/index.js';

/**
 * What a dashboard shows: `server.failover` of `switchyard-rpc/soroban`, `transport.failover` of
 * `switchyard-rpc/viem`, a `createFailover` instance, or a head monitor (`createBeaconHeadMonitor`);
 * as the dashboard reads them. Which one it is, `status()` tells (a monitor's has `streams`).
 */
export interface DashboardSource {
  status(): FailoverStatus | HeadMonitorStatus;
  metrics(): FailoverMetrics | HeadMonitorMetrics;
  /** Subscribes to the events of the source's kind (the dashboard names them). */
  on(name: never, listener: (event: never) => void): Unsubscribe;
  /** Secret: read only to scrub the endpoints' URLs and credentials out of what is sent. */
  endpoints(): readonly Endpoint[];
}

/** Options of `dashboard()` and `dashboardFetch()`; `Req` is what `authorize` is given. */
export interface DashboardOptions<Req> {
  /**
   * Decides whether a request may see the dashboard (false: 403). It is read-only, but shows your
   * endpoints' labels and health: mount it behind your app's own authentication too.
   * @default every request may
   */
  authorize?: (request: Req) => boolean | Promise<boolean>;
  /** How many minutes of history the sparklines and traffic chart show. @default 10 */
  historyMinutes?: number;
  /** How often every source is sampled and open pages are updated, in ms. @default 1000 */
  sampleIntervalMs?: number;
  /** The page's heading and `<title>`. @default 'switchyard' */
  title?: string;
}

/** One line of a source's recent events. Labels only: never a URL or credential. */
export interface DashboardEvent {
  /** Wall-clock time, ms since the epoch. */
  at: number;
  /** The event's name, as given to `on()`. */
  name: string;
  /** The label of the endpoint it concerns, if one. */
  endpoint: string | undefined;
  /** What happened, in words. */
  text: string;
}

/** One endpoint of a failover instance at one sample. */
export interface EndpointSample {
  state: string;
  /** EWMA latency, ms. */
  latencyMs: number | undefined;
  p95Ms: number | undefined;
  /** Requests sent to it since the previous sample, every outcome counted. */
  requests: number;
}

/** One stream of a head monitor at one sample. */
export interface StreamSample {
  state: string;
  connected: boolean;
  /** The slot of the last head this stream delivered. */
  slot: number | undefined;
}

/** A failover instance at one sample, endpoints by id. */
export interface FailoverSample {
  at: number;
  endpoints: Record<string, EndpointSample>;
}

/** A head monitor at one sample, streams by id. */
export interface MonitorSample {
  at: number;
  /** The monitor's latest slot. */
  slot: number | undefined;
  streams: Record<string, StreamSample>;
}

/** A failover instance's counters, without histograms. */
export interface FailoverSummary {
  calls: FailoverMetrics['calls'];
  routeChanges: number;
  endpoints: {
    id: string;
    label: string;
    requests: Record<RequestOutcome, number>;
    probes: { ok: number; failed: number };
    hedgesFired: number;
    hedgesWon: number;
  }[];
}

/** A head monitor's counters, with the heads it announced and the slots it saw none for. */
export interface MonitorSummary {
  restarts: number;
  /** Heads announced since the dashboard was created. */
  heads: number;
  /** Slots skipped between consecutive announced heads (no block, or no stream delivered it). */
  missedSlots: number;
  streams: (HeadMonitorMetrics['streams'][number] & {
    /** Announced heads this stream did not deliver since the dashboard first saw it (an estimate). */
    missedHeads: number;
  })[];
}

/** One source as `status.json` and the page see it. */
export type DashboardSourceView =
  | {
      name: string;
      kind: 'failover';
      status: FailoverStatus;
      summary: FailoverSummary;
      history: FailoverSample[];
      events: DashboardEvent[];
    }
  | {
      name: string;
      kind: 'monitor';
      status: HeadMonitorStatus;
      summary: MonitorSummary;
      history: MonitorSample[];
      events: DashboardEvent[];
    };

/** `GET …/status.json`, and the first message of `…/events`. */
export interface DashboardSnapshot {
  title: string;
  /** Wall-clock time of this snapshot, ms since the epoch. */
  at: number;
  sampleIntervalMs: number;
  historyMinutes: number;
  sources: DashboardSourceView[];
}

/** A source's part of an `…/events` update: what changed since the last message. */
export interface DashboardSourceUpdate {
  name: string;
  kind: DashboardSourceView['kind'];
  status: DashboardSourceView['status'];
  summary: DashboardSourceView['summary'];
  /** The sample just taken; none when the update is for an event. */
  sample: FailoverSample | MonitorSample | undefined;
  /** The event that caused this update, if one. */
  event: DashboardEvent | undefined;
}
