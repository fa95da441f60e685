import type { FailoverControl, FailoverMetrics, FailoverStatus } from '../../src/index.js';
import { FAILOVER_EVENTS } from './describeEvent.js';
import { RingBuffer } from './RingBuffer.js';
import { EventLog, type EventSink, type SourceHistory } from './SourceHistory.js';
import type {
  DashboardEvent,
  DashboardSourceUpdate,
  DashboardSourceView,
  FailoverSample,
  FailoverSummary,
} from './types.js';

/** What the dashboard reads of a failover instance. */
export type FailoverSource = Pick<FailoverControl, 'status' | 'metrics' | 'on'>;

/** Requests of every outcome: cancelled hedges were sent too, and are traffic. */
const sent = (requests: FailoverMetrics['endpoints'][number]['requests']) =>
  requests.ok + requests.error + requests.rejected + requests.cancelled;

/**
 * A failover instance's history: per sample each endpoint's state, latency (EWMA, p95) and the
 * requests sent to it since the previous sample (the traffic share over time); and its last events.
 */
export class FailoverHistory implements SourceHistory {
  readonly name: string;
  readonly #source: FailoverSource;
  readonly #samples: RingBuffer<FailoverSample>;
  readonly #events: EventLog;
  /** Each endpoint's requests at the previous sample, by id. */
  readonly #sentBefore = new Map<string, number>();

  constructor(name: string, source: FailoverSource, samplesKept: number, onEvent: EventSink) {
    this.name = name;
    this.#source = source;
    this.#samples = new RingBuffer(samplesKept);
    this.#events = new EventLog(
      (event, listener) => source.on(event as (typeof FAILOVER_EVENTS)[number], listener),
      FAILOVER_EVENTS,
      (event) => this.#update(source.status(), undefined, event),
      onEvent,
    );
  }

  sample(at: number): DashboardSourceUpdate {
    const status = this.#source.status();
    const requests = new Map(this.#source.metrics().endpoints.map((e) => [e.id, sent(e.requests)]));
    const endpoints: FailoverSample['endpoints'] = {};
    for (const e of status.endpoints) {
      const total = requests.get(e.id) ?? 0;
      // The first sample of an endpoint counts from zero: its requests so far are recent enough.
      const delta = total - (this.#sentBefore.get(e.id) ?? 0);
      this.#sentBefore.set(e.id, total);
      endpoints[e.id] = {
        state: e.state,
        latencyMs: e.latency.ewmaMs,
        p95Ms: e.latency.p95Ms,
        requests: Math.max(0, delta),
      };
    }
    const sample: FailoverSample = { at, endpoints };
    this.#samples.push(sample);
    return this.#update(status, sample, undefined);
  }

  view(): DashboardSourceView {
    return {
      name: this.name,
      kind: 'failover',
      status: this.#source.status(),
      summary: this.#summary(),
      history: this.#samples.toArray(),
      events: this.#events.list(),
    };
  }

  close(): void {
    this.#events.close();
  }

  #update(
    status: FailoverStatus,
    sample: FailoverSample | undefined,
    event: DashboardEvent | undefined,
  ): DashboardSourceUpdate {
    return { name: this.name, kind: 'failover', status, summary: this.#summary(), sample, event };
  }

  #summary(): FailoverSummary {
    const { calls, routeChanges, endpoints } = this.#source.metrics();
    return {
      calls,
      routeChanges,
      endpoints: endpoints.map(({ id, label, requests, probes, hedgesFired, hedgesWon }) => ({
        id,
        label,
        requests,
        probes,
        hedgesFired,
        hedgesWon,
      })),
    };
  }
}
