import 'reflect-metadata';

// The core's types that this entry point's signatures mention, so that they can be named from here too.
export type * from '../../src/failoverTypes.js';
export { SOROBAN_METHOD_ROUTES } from './methods.js';
export { checkSorobanResult, classifySorobanError, ledgerOf } from './sorobanClassifier.js';
export { type SorobanProbe, type SorobanProbeOptions, sorobanProbe } from './sorobanProbe.js';
export {
  type FailoverServer,
  type SorobanFailover,
  type WithFailoverOptions,
  withFailover,
} from './withFailover.js';
