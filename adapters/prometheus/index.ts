export { type MetricsSource, type RegisterMetricsOptions, registerMetrics } from './registerMetrics.js';
