export { classifyEvmError, evmClassifier } from './evmClassifier.js';
export { evmProbe } from './evmProbe.js';
export {
  type FailoverEndpointOptions,
  type FailoverTransport,
  type FailoverTransportConfig,
  failover,
  type ViemFailover,
} from './failover.js';
export { callKindOf } from './methodKinds.js';
