// The core's types that this entry point's signatures mention, so that they can be named from here too.
export type * from '../../src/failoverTypes.js';
export { classifyEvmError, evmClassifier } from './evmClassifier.js';
export { type EvmProbeOptions, evmProbe } from './evmProbe.js';
export type { SubscribeParameters } from './FailoverSubscription.js';
export {
  type FailoverEndpointOptions,
  type FailoverTransport,
  type FailoverTransportConfig,
  failover,
  type SubscribesFirst,
  type ViemFailover,
} from './failover.js';
export { callKindOf } from './methodKinds.js';
