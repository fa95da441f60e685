/**
 * Proactive failover for any chain: `createFailover` for calls, `createHeadMonitor` for heads a chain
 * pushes, the state stores that share health between processes, and the types of their options,
 * events, status and errors. The chain adapters are `switchyard-rpc/soroban`, `/viem` and `/beacon`;
 * an adapter for another chain is built with `switchyard-rpc/adapter`.
 *
 * @example
 * import { createFailover } from 'switchyard-rpc';
 * const failover = createFailover({ endpoints: ['https://a.example', 'https://b.example'], probe });
 * const head = await failover.call(({ endpoint, signal }) => getHead(endpoint.url, signal));
 */
import 'reflect-metadata';

export { TOKENS } from './container.js';
export { type CreateFailoverParameters, createFailover, type Failover } from './createFailover.js';
export {
  type Endpoint,
  type EndpointConfig,
  type EndpointInput,
  type EndpointRef,
  type ParseEndpointsOptions,
  parseEndpoints,
  redactUrl,
} from './endpoint.js';
export {
  AllEndpointsFailedError,
  AllStreamsFailedError,
  ClosedError,
  ConfigError,
  type EndpointAttempt,
  EndpointError,
  StreamError,
  type StreamFailure,
  SwitchyardError,
  type SwitchyardErrorCode,
  type SwitchyardErrorOptions,
  TimeoutError,
} from './errors.js';
export type {
  BackgroundErrorEvent,
  EndpointStateEvent,
  EndpointsChangedEvent,
  FailoverEvents,
  RouteChangeEvent,
  Unsubscribe,
} from './events.js';
export { type FailoverControl, failoverControl } from './failoverControl.js';
export type { NetworkCheckConfig } from './health/NetworkCheck.js';
export type {
  BreakerState,
  EndpointHealth,
  EndpointState,
  HealthSnapshot,
  RouteRanking,
} from './health/snapshot.js';
export type {
  CancelTimer,
  ChainHead,
  Clock,
  HeadStream,
  HeadStreamHooks,
  HealthProbe,
  LeaseDecision,
  Logger,
  ProbeLease,
  ProbeResult,
  Router,
  SharedEndpointRecord,
  SharedState,
  StateStore,
} from './interfaces.js';
export { consoleLogger, silentLogger } from './logger.js';
export type {
  EndpointMetrics,
  FailoverMetrics,
  HistogramSnapshot,
  RequestOutcome,
} from './metrics/types.js';
export type {
  AttemptEnd,
  AttemptEnding,
  AttemptWatch,
  CallEnd,
  CallWatch,
  FailoverObserver,
  ObservedAttempt,
  ObservedCall,
  ObservedProbe,
} from './observation.js';
export type { FailoverConfig } from './options.js';
export type {
  AttemptContext,
  CallClassifier,
  CallKind,
  ErrorClass,
  ErrorKind,
  RejectedResult,
} from './routing/classification.js';
export type { AttemptFn, CallOptions, HedgeConfig } from './routing/Executor.js';
export { ScoreRouter, type ScoreRouterConfig } from './routing/ScoreRouter.js';
export { FileStateStore, type FileStateStoreConfig } from './state/FileStateStore.js';
export { MemoryStateStore } from './state/MemoryStateStore.js';
export type { EndpointStatus, FailoverStatus } from './status.js';
export {
  type CreateHeadMonitorParameters,
  createHeadMonitor,
  type HeadMonitorConfig,
} from './streams/createHeadMonitor.js';
export type { SlotTiming } from './streams/SlotClock.js';
export type {
  CandidateRef,
  DeliveredHead,
  HeadMonitor,
  HeadMonitorErrorEvent,
  HeadMonitorEvents,
  HeadMonitorMetrics,
  HeadMonitorStatus,
  HeadStreamStatus,
  StreamEndpointMetrics,
  StreamLostEvent,
  StreamMetrics,
  StreamOpenEvent,
  StreamState,
} from './streams/types.js';
