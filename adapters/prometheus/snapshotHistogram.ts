import { Histogram, type LabelValues, type Registry } from 'prom-client';
import type { HistogramSnapshot } from '../../src/index.js';

type HistogramData = Awaited<ReturnType<Histogram<string>['get']>>;

/** One labelled histogram read from a source at scrape time. */
export interface HistogramSample {
  labels: LabelValues<string>;
  histogram: HistogramSnapshot;
}

/**
 * A prom-client Histogram whose values come from switchyard's plain-data histograms at scrape time
 * instead of `observe()` calls: the instance already counts, this only converts (ms → seconds).
 * prom-client still formats the exposition, so its escaping and content types apply.
 */
export class SnapshotHistogram extends Histogram<string> {
  readonly #read: () => HistogramSample[];
  readonly #name: string;
  readonly #help: string;

  constructor(
    name: string,
    help: string,
    labelNames: string[],
    registry: Registry,
    read: () => HistogramSample[],
  ) {
    super({ name, help, labelNames, registers: [registry] });
    this.#read = read;
    this.#name = name;
    this.#help = help;
  }

  override async get(): Promise<HistogramData> {
    const values: HistogramData['values'] = [];
    for (const { labels, histogram } of this.#read()) {
      histogram.bucketsMs.forEach((boundMs, i) => {
        values.push({
          labels: { ...labels, le: boundMs / 1000 },
          value: histogram.counts[i]!,
          metricName: `${this.#name}_bucket`,
        });
      });
      values.push({
        labels: { ...labels, le: '+Inf' },
        value: histogram.count,
        metricName: `${this.#name}_bucket`,
      });
      values.push({ labels, value: histogram.sumMs / 1000, metricName: `${this.#name}_sum` });
      values.push({ labels, value: histogram.count, metricName: `${this.#name}_count` });
    }
    return { name: this.#name, help: this.#help, type: 'histogram', values, aggregator: 'sum' } as never;
  }

  /** prom-client's Registry reads this one, when a metric has it, to format the exposition. */
  getForPromString(): Promise<HistogramData> {
    return this.get();
  }
}
