import type { DependencyContainer } from 'tsyringe';
import { ConfigError } from './errors.js';
import type { Clock, Logger, Router, StateStore } from './interfaces.js';
import type { HedgeConfig } from './routing/Executor.js';
import { requireFunction, requireLogger, requireObject, requireObjectWithMethods } from './validate.js';

/** Options shared by every failover entry point (`createFailover`, `withFailover`, ...). */
export interface FailoverConfig {
  /** How often each endpoint is checked in the background. @default 1000 */
  probeIntervalMs?: number;
  /** Deadline of one probe; must be below the interval. @default 80% of probeIntervalMs, at most 800 */
  probeTimeoutMs?: number;
  /** A probe or call slower than this marks the endpoint slow. @default 500 */
  latencyThresholdMs?: number;
  /** An endpoint whose head trails the freshest credible head by more than this is lagging. @default 5 */
  lagTolerance?: number;
  /**
   * The chain's time per head (block time, ledger close time, slot), in ms. A head further ahead of the
   * freshest one than this clock allows is not believed, and one that stops moving for a few intervals is
   * stalled. @default learned from how the freshest head advances
   */
  headIntervalMs?: number;
  /** Deadline of one call, all attempts and hedges included. @default 10000 */
  timeoutMs?: number;
  /** Endpoints tried per call at most, hedges included. @default every routable endpoint */
  maxAttempts?: number;
  /** Hedging of slow reads, or `false` to turn it off. @default { minDelayMs: 50, maxDelayMs: 500 } */
  hedge?: HedgeConfig | false;
  /** Failed calls in a row that open an endpoint's breaker. @default 3 */
  breakerThreshold?: number;
  /**
   * Good probes in a row that clear `slow`, and that close the breaker of a flapping endpoint (one
   * that failed again within ten probe intervals of coming back); any other endpoint is back on its
   * first good probe. @default 2
   */
  recoverySamples?: number;
  /** Where warnings and errors go. @default console (warn and error only) */
  logger?: Logger;
  /** Time source. @default real time, timers unref'd */
  clock?: Clock;
  /**
   * Shares health and probing with other instances and processes (`FileStateStore`, or a
   * `MemoryStateStore` shared in one process). Never closed by switchyard: it is yours.
   * @default none: health stays in this instance
   */
  stateStore?: StateStore;
  /** Routing policy. @default ScoreRouter */
  router?: Router;
  /** Random source for jitter and weighted picks. @default Math.random */
  random?: () => number;
  /**
   * Parent container whose registrations (by `TOKENS`) replace the defaults; pass tsyringe's global
   * `container` to let registrations made anywhere in the process apply.
   * @default none: a container of this instance's own, which no registration elsewhere reaches
   */
  container?: DependencyContainer;
}

/** The numbers of {@link FailoverConfig}, validated and with defaults applied. */
export interface ResolvedTuning {
  probeIntervalMs: number;
  probeTimeoutMs: number;
  latencyThresholdMs: number;
  lagTolerance: number;
  headIntervalMs: number | undefined;
  timeoutMs: number;
  maxAttempts: number;
  hedge: Required<HedgeConfig> | false;
  breakerThreshold: number;
  recoverySamples: number;
}

/**
 * A positive number option (whole with `integer`), or `fallback` when it is undefined.
 *
 * @throws {ConfigError} naming `field`.
 * @example
 * positiveOption('lagTolerance', config.lagTolerance, 10, true) // 10 when not given
 * positiveOption('lagTolerance', -1, 10) // ConfigError: lagTolerance: must be a positive number (got -1)
 */
export function positiveOption(
  field: string,
  value: number | undefined,
  fallback: number,
  integer = false,
): number {
  return numberOption(field, value, fallback, 'a positive number', integer);
}

/**
 * A number option that may also be zero (optionally whole), or its default.
 *
 * @throws {ConfigError} naming `field`.
 * @example
 * nonNegativeOption('retryCount', config.retryCount, 0, true)
 */
export function nonNegativeOption(
  field: string,
  value: number | undefined,
  fallback: number,
  integer = false,
): number {
  return numberOption(field, value, fallback, 'zero or a positive number', integer);
}

function numberOption(
  field: string,
  value: number | undefined,
  fallback: number,
  range: 'a positive number' | 'zero or a positive number',
  integer: boolean,
): number {
  const resolved = value ?? fallback;
  const low = range === 'a positive number' ? resolved <= 0 : resolved < 0;
  if (typeof resolved !== 'number' || !Number.isFinite(resolved) || low) {
    throw new ConfigError(field, `must be ${range} (got ${String(value)})`);
  }
  if (integer && !Number.isInteger(resolved))
    throw new ConfigError(field, `must be a whole number (got ${resolved})`);
  return resolved;
}

// The methods each replaceable part must have. A part without one would fail later, inside a timer.
const PART_METHODS = {
  clock: ['now', 'wallNow', 'setTimeout'],
  stateStore: ['read', 'update'],
  router: ['rank', 'plan'],
  container: ['createChildContainer', 'isRegistered'],
} as const;

/** Checks the parts a config gives (logger, clock, store, router, random, container); absent ones use defaults. */
function checkParts(config: FailoverConfig): void {
  if (config.logger !== undefined) requireLogger('logger', config.logger);
  for (const field of Object.keys(PART_METHODS) as (keyof typeof PART_METHODS)[]) {
    if (config[field] !== undefined) requireObjectWithMethods(field, config[field], PART_METHODS[field]);
  }
  if (config.random !== undefined) requireFunction('random', config.random);
}

/**
 * Validates every option of {@link FailoverConfig} — numbers, `hedge`, and that each part given
 * (`logger`, `clock`, `stateStore`, `router`, `random`, `container`) has its methods — and returns
 * the numbers with defaults applied.
 *
 * @throws {ConfigError} naming the field, e.g. `probeIntervalMs: must be a positive number (got -5)`,
 * `logger.warn: must be a function (got a string)`.
 */
export function resolveTuning(
  config: FailoverConfig,
  defaults: { lagTolerance?: number } = {},
): ResolvedTuning {
  checkParts(config);
  const probeIntervalMs = positiveOption('probeIntervalMs', config.probeIntervalMs, 1000);
  const probeTimeoutMs = positiveOption(
    'probeTimeoutMs',
    config.probeTimeoutMs,
    Math.min(800, probeIntervalMs * 0.8),
  );
  if (probeTimeoutMs >= probeIntervalMs) {
    throw new ConfigError(
      'probeTimeoutMs',
      `must be below probeIntervalMs (${probeTimeoutMs} >= ${probeIntervalMs})`,
    );
  }
  const lagTolerance = nonNegativeOption('lagTolerance', config.lagTolerance, defaults.lagTolerance ?? 5);
  let hedge: ResolvedTuning['hedge'] = false;
  if (config.hedge !== false) {
    if (config.hedge !== undefined)
      requireObject('hedge', config.hedge, 'false or { minDelayMs?, maxDelayMs? }');
    const givenMax = config.hedge?.maxDelayMs;
    const maxOrUndefined =
      givenMax === undefined ? undefined : positiveOption('hedge.maxDelayMs', givenMax, 0);
    // A small maximum alone lowers the default minimum, as a large minimum raises the default maximum.
    const minDelayMs = positiveOption(
      'hedge.minDelayMs',
      config.hedge?.minDelayMs,
      Math.min(50, maxOrUndefined ?? 50),
    );
    const maxDelayMs = maxOrUndefined ?? Math.max(500, minDelayMs);
    if (maxDelayMs < minDelayMs)
      throw new ConfigError('hedge.maxDelayMs', 'must not be below hedge.minDelayMs');
    hedge = { minDelayMs, maxDelayMs };
  }
  return {
    probeIntervalMs,
    probeTimeoutMs,
    latencyThresholdMs: positiveOption('latencyThresholdMs', config.latencyThresholdMs, 500),
    lagTolerance,
    headIntervalMs:
      config.headIntervalMs === undefined
        ? undefined
        : positiveOption('headIntervalMs', config.headIntervalMs, 0),
    timeoutMs: positiveOption('timeoutMs', config.timeoutMs, 10_000),
    // Each endpoint is tried at most once per call and the deadline bounds the whole call, so by
    // default a call fails only when every routable endpoint has failed.
    maxAttempts:
      config.maxAttempts === undefined
        ? Number.POSITIVE_INFINITY
        : positiveOption('maxAttempts', config.maxAttempts, 0, true),
    hedge,
    breakerThreshold: positiveOption('breakerThreshold', config.breakerThreshold, 3, true),
    recoverySamples: positiveOption('recoverySamples', config.recoverySamples, 2, true),
  };
}
