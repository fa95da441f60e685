import 'reflect-metadata';

export { systemClock } from './clock.js';
export { createInstanceContainer, type InstanceParts, TOKENS } from './container.js';
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
  ClosedError,
  ConfigError,
  type EndpointAttempt,
  EndpointError,
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
export type {
  BreakerState,
  EndpointHealth,
  EndpointState,
  HealthSnapshot,
  RouteRanking,
} from './health/snapshot.js';
export type {
  CancelTimer,
  Clock,
  HeadStream,
  HealthProbe,
  Logger,
  ProbeLease,
  ProbeResult,
  Router,
  SharedEndpointRecord,
  SharedState,
  StateStore,
} from './interfaces.js';
export { consoleLogger, silentLogger } from './logger.js';
export { type FailoverConfig, type ResolvedTuning, resolveTuning } from './options.js';
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
export { emptySharedState, MemoryStateStore } from './state/MemoryStateStore.js';
export { type ParsedSharedState, parseSharedState, SHARED_STATE_VERSION } from './state/parseSharedState.js';
export type { EndpointStatus, FailoverStatus } from './status.js';
export { TaskSet } from './TaskSet.js';
