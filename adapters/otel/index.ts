// The core's types that this entry point's signatures mention, so that they can be named from here too.
export type { FailoverMetrics, FailoverObserver, HeadMonitorMetrics, Unsubscribe } from '../../src/index.js';
export { type Instrumentable, type InstrumentOptions, instrument } from './instrument.js';
export type { MetricsSource } from './observedMetrics.js';
