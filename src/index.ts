import 'reflect-metadata';

export { systemClock } from './clock.js';
export { createInstanceContainer, type InstanceParts, TOKENS } from './container.js';
export { type CreateFailoverParameters, createFailover, type Failover } from './createFailover.js';
export {
  credentialsAsHeader,
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
export {
  type FailoverConfig,
  nonNegativeOption,
  positiveOption,
  type ResolvedTuning,
  resolveTuning,
} from './options.js';
export { parseRetryAfter } from './retryAfter.js';
export {
  type AttemptContext,
  type CallClassifier,
  type CallKind,
  type ErrorClass,
  type ErrorKind,
  failedProbe,
  type RejectedResult,
} from './routing/classification.js';
export type { AttemptFn, CallOptions, HedgeConfig } from './routing/Executor.js';
export { ScoreRouter, type ScoreRouterConfig } from './routing/ScoreRouter.js';
export { FileStateStore, type FileStateStoreConfig } from './state/FileStateStore.js';
export { type ApplyQueued, GroupCommit } from './state/GroupCommit.js';
export { emptySharedState, MemoryStateStore } from './state/MemoryStateStore.js';
export {
  isSharedEndpointRecord,
  type ParsedSharedState,
  parseSharedState,
  SHARED_STATE_VERSION,
} from './state/parseSharedState.js';
export { SHARED_RECORD_TTL_MS } from './state/sharedHealth.js';
export type { EndpointStatus, FailoverStatus } from './status.js';
export {
  type CreateHeadMonitorParameters,
  createHeadMonitor,
  type HeadMonitorConfig,
} from './streams/createHeadMonitor.js';
export { PushQueue } from './streams/PushQueue.js';
export { MAINNET_SLOT_MS, SlotClock, type SlotTiming, validateSlotTiming } from './streams/SlotClock.js';
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
export { TaskSet } from './TaskSet.js';
export {
  requireArray,
  requireFunction,
  requireLogger,
  requireObject,
  requireObjectWithMethods,
  requireString,
  requireStringRecord,
} from './validate.js';
