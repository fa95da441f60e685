import type { Endpoint } from '../endpoint.js';
import type { ProbeResult } from '../interfaces.js';

/**
 * How a call is allowed to be repeated:
 * - `read`: no side effects; hedged and retried on other endpoints.
 * - `idempotent-write`: a write that is safe to repeat (Stellar `sendTransaction`, EVM
 *   `eth_sendRawTransaction`: the same bytes, the same hash); retried, hedged after twice the endpoint's p95.
 * - `write`: never repeated once it may have reached an endpoint.
 */
export type CallKind = 'read' | 'idempotent-write' | 'write';

/**
 * - `transport`: no usable answer (refused, reset, timeout, HTTP 5xx): try elsewhere; counts against the endpoint.
 * - `node`: the endpoint answered but cannot serve this (not synced, malformed answer): try elsewhere; counts against it.
 * - `rate-limited`: HTTP 429: try elsewhere; the endpoint rests for `retryAfterMs`.
 * - `user`: the call itself is wrong (invalid params, reverted): returned at once, never retried.
 */
export type ErrorKind = 'transport' | 'node' | 'rate-limited' | 'user';

/** How long an endpoint rests after a 429 that named no Retry-After. */
export const DEFAULT_RETRY_AFTER_MS = 1000;

/** What an adapter says about one error. */
export interface ErrorClass {
  kind: ErrorKind;
  /** Short reason without credentials, e.g. `HTTP 503`, `ECONNREFUSED`. */
  reason: string;
  /** For `rate-limited`: how long to rest the endpoint. @default 1000 */
  retryAfterMs?: number | undefined;
  /** The request provably never reached the endpoint (connection refused): even a `write` may be retried. */
  neverSent?: boolean | undefined;
}

/** An answer that is not good enough: try elsewhere. */
export interface RejectedResult {
  reason: string;
  /** If no other endpoint does better, return this answer rather than fail. */
  acceptIfLast: boolean;
}

/** What an attempt function receives. */
export interface AttemptContext {
  endpoint: Endpoint;
  /**
   * Aborted when the attempt lost a hedge, the call timed out, the caller aborted or the instance
   * closed. A call that can make only this one attempt (one endpoint to ask, no caller signal) shares
   * one signal per instance, aborted at `close()`: creating a signal per call costs several µs on
   * Node 20, and such an attempt never loses a race. At its call's deadline it is left to the
   * client's own timeout.
   */
  signal: AbortSignal;
  /** 0 for the first attempt of a call, 1 for the next... */
  attempt: number;
}

/** The adapter's knowledge of its protocol, used by the executor. */
export interface CallClassifier<T = unknown> {
  classifyError(error: unknown, context: AttemptContext): ErrorClass;
  /** Judges an answer; undefined accepts it. */
  checkResult?(result: T, context: AttemptContext): RejectedResult | undefined;
  /** The head (ledger, block) an answer reveals, if any: feeds lag detection at once. */
  headOf?(result: T): number | undefined;
}

/**
 * The probe result for an error the adapter classified: a rate limit rests the endpoint for its
 * Retry-After instead of marking it down; anything else fails the probe with the verdict's reason.
 *
 * @example
 * catch (error) { return failedProbe(classify(error), performance.now() - started) }
 */
export function failedProbe(verdict: ErrorClass, latencyMs: number): ProbeResult {
  const retryAfterMs =
    verdict.kind === 'rate-limited' ? (verdict.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS) : undefined;
  return { ok: false, latencyMs, detail: verdict.reason, retryAfterMs };
}
