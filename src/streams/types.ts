import type { Endpoint, EndpointInput, EndpointRef } from '../endpoint.js';
import type { StreamFailure, SwitchyardError } from '../errors.js';
import type { EndpointsChangedEvent, Unsubscribe } from '../events.js';
import type { EndpointState } from '../health/snapshot.js';
import type { ChainHead } from '../interfaces.js';
import type { FailoverMetrics } from '../metrics/types.js';
import type { FailoverObserver } from '../observation.js';
import type { SlotTiming } from './SlotClock.js';

/** A head as a monitor announces it: the stream's head plus the endpoint that delivered it first. */
export type DeliveredHead<Head extends ChainHead = ChainHead> = Head & {
  /** The endpoint whose stream delivered this head first. */
  readonly endpoint: EndpointRef;
};

/** A stream opened: after a loss, `reconnect` is true. */
export interface StreamOpenEvent {
  endpoint: EndpointRef;
  reconnect: boolean;
}

/** A stream was lost (or failed to open); it is retried at once or after a backoff of at most a second. */
export interface StreamLostEvent {
  endpoint: EndpointRef;
  reason: StreamFailure;
  /** Redacted detail. */
  detail: string | undefined;
  /** Whether the stream was open before (a disconnection) rather than failing to connect. */
  wasOpen: boolean;
}

/** A background failure the monitor survives; it keeps retrying. */
export interface HeadMonitorErrorEvent {
  source: 'streams';
  error: SwitchyardError;
}

/** Every event of a head monitor, by name. */
export interface HeadMonitorEvents<Head extends ChainHead = ChainHead> {
  /** Once per new (slot, block); `latest()` and `status()` already show it. */
  head: DeliveredHead<Head>;
  'stream-open': StreamOpenEvent;
  'stream-lost': StreamLostEvent;
  'candidates-changed': EndpointsChangedEvent;
  /** Every stream has been down for `failedCyclesBeforeError` retry cycles (once per outage). */
  error: HeadMonitorErrorEvent;
}

/**
 * - `connecting`: the subscription is being opened;
 * - `open`: connected, receiving;
 * - `waiting`: lost; retried at once, then after a backoff (250 ms doubling, at most 1 s or a slot).
 */
export type StreamState = 'connecting' | 'open' | 'waiting';

/** Counters of one endpoint's stream since it was added. */
export interface StreamMetrics {
  /** Open streams that were lost (dropped, stalled, closed, malformed). */
  disconnections: number;
  /** Streams that opened again after a loss. */
  reconnections: number;
  /** Restarts the monitor decided (stall, malformed or unexpected event, changed candidate options). */
  restarts: number;
  /** Attempts that failed before the stream opened (refused, HTTP error status, timeout). */
  failedAttempts: number;
  /** Heads received, duplicates included. */
  headsReceived: number;
  /** Heads another endpoint had delivered first. */
  duplicatesDropped: number;
  /** Malformed or unexpected events. */
  malformedEvents: number;
  /**
   * Heads not used: the endpoint serves another network than the expected one, or the head's slot is
   * ahead of the chain's clock (a slot that has not begun), or more than 64 came while the endpoint's
   * network was still being read.
   */
  headsRefused: number;
}

/** One endpoint's stream counters in {@link HeadMonitorMetrics}. Named by label; never a URL. */
export interface StreamEndpointMetrics extends StreamMetrics {
  id: string;
  label: string;
  connected: boolean;
}

/**
 * Counters of a head monitor since it was created, as plain data.
 *
 * @example
 * for (const s of monitor.metrics().streams) console.log(s.label, s.disconnections, s.reconnections);
 */
export interface HeadMonitorMetrics {
  streams: StreamEndpointMetrics[];
  /** Candidate updates that changed something. */
  restarts: number;
  /** Heads dropped because an async iterator's consumer fell behind its buffer. */
  iteratorDropped: number;
  /** The health probes' counters (`calls` stay at zero: a monitor makes none), when the monitor has a probe. */
  health: FailoverMetrics | undefined;
}

/** One endpoint's stream in {@link HeadMonitorStatus}. Holds no URL or credential: `label` names it. */
export interface HeadStreamStatus<Head extends ChainHead = ChainHead> {
  id: string;
  label: string;
  state: StreamState;
  connected: boolean;
  /** The last head this endpoint delivered while connected; cleared when its stream is lost. */
  head: Head | undefined;
  /** Whether `head` is the monitor's latest head (never, for an endpoint on another network). */
  isLatest: boolean;
  /** Milliseconds since the last event or keep-alive of the current connection. */
  lastEventAgeMs: number | undefined;
  /** Why the stream was last lost (redacted). */
  lastError: string | undefined;
  /** The health probe's verdict, when the monitor has a probe. */
  health: EndpointState | undefined;
  /** Why the probe judged the endpoint so, when it is not healthy (`wrong network: …, expected …`). */
  healthReason: string | undefined;
  metrics: StreamMetrics;
}

/** A point-in-time view of a head monitor. */
export interface HeadMonitorStatus<Head extends ChainHead = ChainHead> {
  closed: boolean;
  latest: DeliveredHead<Head> | undefined;
  /** The chain's timing, once known. */
  timing: SlotTiming | undefined;
  /** Retry cycles in a row in which every stream was down. */
  allFailedCycles: number;
  /** Candidate updates that changed something (each restarts the changed streams). */
  restarts: number;
  /** Heads dropped because an async iterator's consumer fell behind its buffer. */
  iteratorDropped: number;
  streams: HeadStreamStatus<Head>[];
}

/** Names one candidate: its URL or label, its config object, or its `{ id }`. */
export type CandidateRef = EndpointInput | Pick<EndpointRef, 'id'>;

/**
 * One independent, self-healing head stream per endpoint; heads announced once, first
 * deliverer wins. Also an async iterator of the announced heads. An endpoint on another network
 * (when the probe can tell) and a head whose slot has not begun by the chain's clock are never
 * used: not for `head`, `latest()`, `isLatest()` or `best()`.
 */
export interface HeadMonitor<Head extends ChainHead = ChainHead> extends AsyncIterable<DeliveredHead<Head>> {
  /** Subscribes to an event; returns a function that unsubscribes. */
  on<K extends keyof HeadMonitorEvents<Head>>(
    name: K,
    listener: (event: HeadMonitorEvents<Head>[K]) => void,
  ): Unsubscribe;
  /** The newest head any endpoint delivered. */
  latest(): DeliveredHead<Head> | undefined;
  /** Whether this candidate's stream is connected and its last head is the newest. */
  isLatest(candidate: CandidateRef): boolean;
  /** The best-ranked connected endpoint (by probe health when there is a probe), for requests. */
  best(): Endpoint | undefined;
  /** The current candidates, in configured order. */
  endpoints(): readonly Endpoint[];
  status(): HeadMonitorStatus<Head>;
  /** Stream and probe counters since creation; `switchyard-rpc/prometheus` exports them. */
  metrics(): HeadMonitorMetrics;
  /** Sees every health probe as it ends (a monitor makes no calls); returns a function that stops it. */
  observe(observer: FailoverObserver): Unsubscribe;
  /** Replaces the candidates: unchanged ones keep their streams, new ones open, removed ones close. */
  updateCandidates(candidates: readonly EndpointInput[]): void;
  /** Closes every stream, timer and probe; ends the iterators; resolves when nothing is left running. */
  close(): Promise<void>;
  readonly closed: boolean;
}
