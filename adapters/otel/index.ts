// The core's types that this entry point's signatures mention, so that they can be named from here too.
export type {
  AttemptEnd,
  AttemptEnding,
  AttemptWatch,
  CallEnd,
  CallKind,
  CallWatch,
  Endpoint,
  EndpointMetrics,
  EndpointState,
  ErrorKind,
  FailoverMetrics,
  FailoverObserver,
  HeadMonitorMetrics,
  HistogramSnapshot,
  ObservedAttempt,
  ObservedCall,
  ObservedProbe,
  RequestOutcome,
  StreamEndpointMetrics,
  StreamMetrics,
  Unsubscribe,
} from '../../src/index.js';
export { type Instrumentable, type InstrumentOptions, instrument } from './instrument.js';
export type { MetricsSource } from './observedMetrics.js';
