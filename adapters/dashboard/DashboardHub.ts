import { scrubSecrets } from '../../src/endpoint.js';
import type { ResolvedDashboardOptions } from './dashboardOptions.js';
import { FailoverHistory, type FailoverSource } from './FailoverHistory.js';
import { MonitorHistory, type MonitorSource } from './MonitorHistory.js';
import type { SourceHistory } from './SourceHistory.js';
import type { DashboardSnapshot, DashboardSource, DashboardSourceUpdate } from './types.js';

/** A comment line this often keeps proxies from closing a quiet event stream. */
const HEARTBEAT_MS = 15_000;
/** How soon a browser reconnects after the stream drops. */
const RECONNECT_MS = 2000;

/** What the hub needs of the options: all but `authorize`, which the handlers apply. */
export type HubOptions = Omit<ResolvedDashboardOptions<never>, 'authorize'>;

/** One open `…/events` response, as the hub writes to it. */
export interface EventStreamClient {
  write(chunk: string): void;
  end(): void;
}

/** JSON of anything a source reports: a custom monitor's heads may hold bigints. */
const toJson = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

/**
 * The state behind one dashboard, shared by the requests it serves: samples every source on an
 * unref'd timer from creation until `close()` (so a page opened later still sees the last minutes),
 * keeps their histories in ring buffers, and pushes each sample and each event to the open event
 * streams. Every text it sends is scrubbed of the sources' URLs and credentials as a last guard,
 * although status, metrics and events already name endpoints by label only.
 */
export class DashboardHub {
  readonly options: HubOptions;
  readonly #sources: DashboardSource[];
  readonly #histories: SourceHistory[];
  readonly #clients = new Set<EventStreamClient>();
  readonly #timers: NodeJS.Timeout[];
  #closed = false;

  constructor(sources: Record<string, DashboardSource>, options: HubOptions) {
    this.options = options;
    this.#sources = Object.values(sources);
    const onEvent = (update: DashboardSourceUpdate) =>
      this.#send('update', { at: Date.now(), sources: [update] });
    this.#histories = Object.entries(sources).map(([name, source]) =>
      'streams' in source.status()
        ? new MonitorHistory(name, source as unknown as MonitorSource, options.samplesKept, onEvent)
        : new FailoverHistory(name, source as unknown as FailoverSource, options.samplesKept, onEvent),
    );
    this.#sampleAll();
    this.#timers = [
      setInterval(() => this.#send('update', this.#sampleAll()), options.sampleIntervalMs),
      setInterval(() => this.#write(': keep-alive\n\n'), HEARTBEAT_MS),
    ];
    for (const timer of this.#timers) timer.unref();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Everything kept, as `status.json` serves it (scrubbed JSON text). */
  snapshotJson(): string {
    return this.#scrubbed(toJson(this.#snapshot()));
  }

  /**
   * Adds an open event stream: it gets the reconnect delay and the whole state at once, then every
   * update, until the returned function or `close()` removes it.
   */
  subscribe(client: EventStreamClient): () => void {
    client.write(`retry: ${RECONNECT_MS}\n\n`);
    client.write(this.#message('state', this.#snapshot()));
    this.#clients.add(client);
    return () => this.#clients.delete(client);
  }

  /** Stops sampling and listening to the sources, and ends every open event stream. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    for (const history of this.#histories) history.close();
    const clients = [...this.#clients];
    this.#clients.clear();
    for (const client of clients) client.end();
  }

  #snapshot(): DashboardSnapshot {
    const { title, sampleIntervalMs, historyMinutes } = this.options;
    const sources = this.#histories.map((history) => history.view());
    return { title, at: Date.now(), sampleIntervalMs, historyMinutes, sources };
  }

  #sampleAll(): { at: number; sources: DashboardSourceUpdate[] } {
    const at = Date.now();
    return { at, sources: this.#histories.map((history) => history.sample(at)) };
  }

  #send(name: string, data: unknown): void {
    if (this.#clients.size > 0) this.#write(this.#message(name, data));
  }

  #message(name: string, data: unknown): string {
    return `event: ${name}\ndata: ${this.#scrubbed(toJson(data))}\n\n`;
  }

  #write(chunk: string): void {
    for (const client of this.#clients) client.write(chunk);
  }

  #scrubbed(text: string): string {
    return scrubSecrets(
      text,
      this.#sources.flatMap((source) => source.endpoints()),
    );
  }
}
