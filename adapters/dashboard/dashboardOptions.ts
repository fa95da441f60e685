import {
  positiveOption,
  requireFunction,
  requireObject,
  requireObjectWithMethods,
  requireString,
} from '../../src/adapter.js';
import { ConfigError } from '../../src/index.js';
import type { DashboardOptions, DashboardSource } from './types.js';

/** At most this many samples per source, whatever the interval: bounds memory and `status.json`. */
const MAX_SAMPLES = 3600;
/** What every source must have: the dashboard reads status and metrics and lists the events. */
const SOURCE_METHODS = ['status', 'metrics', 'on', 'endpoints'] as const;

/** {@link DashboardOptions} checked, with defaults applied. */
export interface ResolvedDashboardOptions<Req> {
  authorize: ((request: Req) => boolean | Promise<boolean>) | undefined;
  historyMinutes: number;
  sampleIntervalMs: number;
  /** Samples kept per source: the history's minutes at the interval, at most {@link MAX_SAMPLES}. */
  samplesKept: number;
  title: string;
}

/**
 * Checks the sources and options of a dashboard before anything starts.
 *
 * @throws {ConfigError} naming the field: `sources` (not an object, or empty), `sources.<name>.status`
 * (a source without one of its methods), `historyMinutes`, `sampleIntervalMs`, `authorize`, `title`.
 * @example
 * resolveDashboardOptions({ soroban: server.failover }, { historyMinutes: 5 }).samplesKept; // 300
 */
export function resolveDashboardOptions<Req>(
  sources: Record<string, DashboardSource>,
  options: DashboardOptions<Req>,
): ResolvedDashboardOptions<Req> {
  requireObject('sources', sources, 'an object of name → failover control or head monitor');
  const names = Object.keys(sources);
  if (names.length === 0)
    throw new ConfigError('sources', 'must name at least one failover control or head monitor');
  for (const name of names) requireObjectWithMethods(`sources.${name}`, sources[name], SOURCE_METHODS);
  requireObject('options', options);
  if (options.authorize !== undefined) requireFunction('authorize', options.authorize);
  if (options.title !== undefined) requireString('title', options.title);
  const historyMinutes = positiveOption('historyMinutes', options.historyMinutes, 10);
  const sampleIntervalMs = positiveOption('sampleIntervalMs', options.sampleIntervalMs, 1000);
  return {
    authorize: options.authorize,
    historyMinutes,
    sampleIntervalMs,
    samplesKept: Math.min(MAX_SAMPLES, Math.ceil((historyMinutes * 60_000) / sampleIntervalMs)),
    title: options.title ?? 'switchyard',
  };
}
