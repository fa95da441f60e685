/**
 * Beacon node head monitoring: one self-healing SSE stream per node (`createBeaconHeadMonitor`), and
 * the parts it is made of for custom setups.
 *
 * @example
 * import { createBeaconHeadMonitor } from 'switchyard-rpc/beacon';
 * const monitor = createBeaconHeadMonitor({ candidates: ['http://bn1:5052', 'http://bn2:5052'] });
 * monitor.on('head', (head) => console.log(head.slot));
 */
import 'reflect-metadata';

// The core's types that this entry point's signatures mention, so that they can be named from here too.
export type {
  AttemptEnd,
  AttemptEnding,
  AttemptWatch,
  BreakerState,
  CallEnd,
  CallKind,
  CallWatch,
  CancelTimer,
  CandidateRef,
  ChainHead,
  Clock,
  DeliveredHead,
  Endpoint,
  EndpointConfig,
  EndpointHealth,
  EndpointInput,
  EndpointMetrics,
  EndpointRef,
  EndpointState,
  EndpointsChangedEvent,
  ErrorClass,
  ErrorKind,
  FailoverConfig,
  FailoverMetrics,
  FailoverObserver,
  HeadMonitor,
  HeadMonitorConfig,
  HeadMonitorErrorEvent,
  HeadMonitorEvents,
  HeadMonitorMetrics,
  HeadMonitorStatus,
  HeadStream,
  HeadStreamHooks,
  HeadStreamStatus,
  HealthProbe,
  HealthSnapshot,
  HedgeConfig,
  HistogramSnapshot,
  LeaseDecision,
  Logger,
  ObservedAttempt,
  ObservedCall,
  ObservedProbe,
  ProbeLease,
  ProbeResult,
  RequestOutcome,
  RouteRanking,
  Router,
  SharedEndpointRecord,
  SharedState,
  SlotTiming,
  StateStore,
  StreamEndpointMetrics,
  StreamFailure,
  StreamLostEvent,
  StreamMetrics,
  StreamOpenEvent,
  StreamState,
  SwitchyardErrorCode,
  SwitchyardErrorOptions,
  Unsubscribe,
} from '../../src/index.js';
// The base class of BeaconDataError.
export { SwitchyardError } from '../../src/index.js';
export {
  BeaconHttp,
  type BeaconHttpTimeouts,
  type BeaconRequest,
  beaconRequest,
  classifyBeaconError,
} from './BeaconHttp.js';
export { BeaconDataError, type BeaconHead, parseHeadEvent, parseHeadHeader } from './beaconHead.js';
export { beaconProbe } from './beaconProbe.js';
export { type BeaconTiming, readBeaconTiming } from './beaconTiming.js';
export {
  type BeaconHeadMonitor,
  type BeaconHeadMonitorOptions,
  createBeaconHeadMonitor,
} from './createBeaconHeadMonitor.js';
export { sseHeadStream } from './sseHeadStream.js';
