/**
 * An embeddable, read-only status page for failover instances and head monitors: a Node handler
 * (`dashboard`, for node:http, Express, Fastify) and a Fetch-API one (`dashboardFetch`, for Hono,
 * Bun, Deno). Mount it behind your app's own authentication.
 *
 * @example
 * import { dashboard } from 'switchyard-rpc/dashboard';
 * app.use('/switchyard', dashboard({ soroban: server.failover, evm: transport.failover, beacon: monitor }));
 */
// The core's types that this entry point's signatures mention, so that they can be named from here too.
export type {
  BreakerState,
  ChainHead,
  DeliveredHead,
  Endpoint,
  EndpointMetrics,
  EndpointRef,
  EndpointState,
  EndpointStatus,
  FailoverMetrics,
  FailoverStatus,
  HeadMonitorMetrics,
  HeadMonitorStatus,
  HeadStreamStatus,
  HistogramSnapshot,
  RequestOutcome,
  SlotTiming,
  StreamEndpointMetrics,
  StreamMetrics,
  StreamState,
  Unsubscribe,
} from '../../src/index.js';
export { type DashboardHandler, dashboard } from './dashboard.js';
export { type DashboardFetchHandler, dashboardFetch } from './dashboardFetch.js';
export type {
  DashboardEvent,
  DashboardOptions,
  DashboardSnapshot,
  DashboardSource,
  DashboardSourceUpdate,
  DashboardSourceView,
  EndpointSample,
  FailoverSample,
  FailoverSummary,
  MonitorSample,
  MonitorSummary,
  StreamSample,
} from './types.js';
