/**
 * What an adapter for another chain is built from (`switchyard-rpc/adapter`): the contracts it
 * implements — a {@link HealthProbe}, a {@link CallClassifier}, and for chains that push heads a
 * {@link HeadStream} — and the helpers the built-in adapters use to implement them, so a custom one
 * behaves like them (a 429 rests an endpoint for its `Retry-After`, a wrong option is a `ConfigError`
 * naming the field). `createFailover`, `createHeadMonitor` and the error classes come from the root
 * entry, `switchyard-rpc`. See docs/custom-adapters.md and examples/solana/.
 *
 * @example
 * import { createFailover } from 'switchyard-rpc';
 * import { type ErrorClass, failedProbe, type HealthProbe, parseRetryAfter, requireString } from 'switchyard-rpc/adapter';
 *
 * const classify = (error: unknown): ErrorClass =>
 *   error instanceof HttpError && error.status === 429
 *     ? { kind: 'rate-limited', reason: 'HTTP 429', retryAfterMs: parseRetryAfter(error.retryAfter) }
 *     : { kind: 'transport', reason: 'unreachable' };
 * const probe: HealthProbe = {
 *   async check(endpoint, signal) {
 *     const started = performance.now();
 *     try {
 *       return { ok: true, latencyMs: performance.now() - started, head: await getSlot(endpoint, signal) };
 *     } catch (error) {
 *       if (signal.aborted) throw error;
 *       return failedProbe(classify(error), performance.now() - started); // a 429 rests the endpoint
 *     }
 *   },
 * };
 * export function createMyChainFailover(config: { endpoints: string[]; commitment: string }) {
 *   requireString('commitment', config.commitment); // else a ConfigError naming `commitment`
 *   return createFailover({ endpoints: config.endpoints, probe, classifier: { classifyError: classify } });
 * }
 */

export { credentialsAsHeader, type Endpoint } from './endpoint.js';
export type {
  ChainHead,
  HeadStream,
  HeadStreamHooks,
  HealthProbe,
  Logger,
  ProbeResult,
} from './interfaces.js';
export { nonNegativeOption, positiveOption } from './options.js';
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
export { PushQueue } from './streams/PushQueue.js';
export {
  requireArray,
  requireFunction,
  requireLogger,
  requireObject,
  requireObjectWithMethods,
  requireString,
  requireStringRecord,
} from './validate.js';
