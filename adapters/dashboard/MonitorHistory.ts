import type { HeadMonitor, HeadMonitorStatus, Unsubscribe } from '../../src/index.js';
import { MONITOR_EVENTS } from './describeEvent.js';
import { RingBuffer } from './RingBuffer.js';
import { EventLog, type EventSink, type SourceHistory } from './SourceHistory.js';

/** What the dashboard reads of a head monitor. */
export type MonitorSource = Pick<HeadMonitor, 'status' | 'metrics' | 'on'>;

import type {
  DashboardEvent,
  DashboardSourceUpdate,
  DashboardSourceView,
  MonitorSample,
  MonitorSummary,
} from './types.js';

/**
 * A head monitor's history: per sample each stream's state and head slot; the heads it announced
 * and the slots skipped between them (counted from its `head` events); per stream an estimate of
 * the announced heads it did not deliver; and its last events (heads are counted, not listed).
 */
export class MonitorHistory implements SourceHistory {
  readonly name: string;
  readonly #source: MonitorSource;
  readonly #samples: RingBuffer<MonitorSample>;
  readonly #events: EventLog;
  readonly #offHead: Unsubscribe;
  #heads = 0;
  #missedSlots = 0;
  #lastSlot: number | undefined;
  /** Per stream: the announced heads and its heads received when the dashboard first saw it. */
  readonly #baseline = new Map<string, { heads: number; received: number }>();

  constructor(name: string, source: MonitorSource, samplesKept: number, onEvent: EventSink) {
    this.name = name;
    this.#source = source;
    this.#samples = new RingBuffer(samplesKept);
    this.#events = new EventLog(
      (event, listener) => source.on(event as (typeof MONITOR_EVENTS)[number], listener),
      MONITOR_EVENTS,
      (event) => this.#update(source.status(), undefined, event),
      onEvent,
    );
    this.#offHead = source.on('head', ({ slot }) => {
      this.#heads++;
      if (this.#lastSlot !== undefined && slot > this.#lastSlot + 1)
        this.#missedSlots += slot - this.#lastSlot - 1;
      this.#lastSlot = Math.max(slot, this.#lastSlot ?? slot);
    });
  }

  sample(at: number): DashboardSourceUpdate {
    const status = this.#source.status();
    const streams: MonitorSample['streams'] = {};
    for (const s of status.streams)
      streams[s.id] = { state: s.state, connected: s.connected, slot: s.head?.slot };
    const sample: MonitorSample = { at, slot: status.latest?.slot, streams };
    this.#samples.push(sample);
    return this.#update(status, sample, undefined);
  }

  view(): DashboardSourceView {
    return {
      name: this.name,
      kind: 'monitor',
      status: this.#source.status(),
      summary: this.#summary(),
      history: this.#samples.toArray(),
      events: this.#events.list(),
    };
  }

  close(): void {
    this.#offHead();
    this.#events.close();
  }

  #update(
    status: HeadMonitorStatus,
    sample: MonitorSample | undefined,
    event: DashboardEvent | undefined,
  ): DashboardSourceUpdate {
    return { name: this.name, kind: 'monitor', status, summary: this.#summary(), sample, event };
  }

  #summary(): MonitorSummary {
    const { restarts, streams } = this.#source.metrics();
    return {
      restarts,
      heads: this.#heads,
      missedSlots: this.#missedSlots,
      streams: streams.map((stream) => {
        let base = this.#baseline.get(stream.id);
        if (!base) {
          base = { heads: this.#heads, received: stream.headsReceived };
          this.#baseline.set(stream.id, base);
        }
        // Duplicates count as delivered: a slower stream that delivers a head second still has it.
        const missedHeads = this.#heads - base.heads - (stream.headsReceived - base.received);
        return { ...stream, missedHeads: Math.max(0, missedHeads) };
      }),
    };
  }
}
