// The core's types that this entry point's signatures mention, so that they can be named from here too.
export type {
  EndpointMetrics,
  EndpointState,
  FailoverMetrics,
  HeadMonitorMetrics,
  HistogramSnapshot,
  RequestOutcome,
  StreamEndpointMetrics,
  StreamMetrics,
} from '../../src/index.js';
export { type MetricsSource, type RegisterMetricsOptions, registerMetrics } from './registerMetrics.js';
