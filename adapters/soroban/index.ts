import 'reflect-metadata';

export { SOROBAN_METHOD_ROUTES } from './methods.js';
export { checkSorobanResult, classifySorobanError, ledgerOf } from './sorobanClassifier.js';
export { sorobanProbe } from './sorobanProbe.js';
export {
  type FailoverServer,
  type SorobanFailover,
  type WithFailoverOptions,
  withFailover,
} from './withFailover.js';
