import {
  nonNegativeOption,
  positiveOption,
  requireArray,
  requireFunction,
  requireObject,
  requireString,
} from '../../src/adapter.js';
import { ConfigError } from '../../src/index.js';
import { resolveTuning } from '../../src/options.js';
import type { FailoverTransportConfig } from './failover.js';

/**
 * Checks the arguments of `failover()` before any transport is instantiated, so a mistake is a
 * ConfigError naming the field (`transports[1]`, `endpoints[0].label`, `chainId`, `hedge`, ...).
 * Labels, priorities and weights are checked by the core, under the same indexes.
 *
 * @example
 * checkFailoverConfig([http(urlA)], { chainId: '1' }) // ConfigError: chainId: must be a positive number (got 1)
 */
export function checkFailoverConfig(transports: unknown, config: FailoverTransportConfig): void {
  requireArray('transports', transports);
  if (transports.length === 0) throw new ConfigError('transports', 'must list at least one transport');
  transports.forEach((transport, i) => {
    requireFunction(`transports[${i}]`, transport);
  });
  const { endpoints, chainId, retryCount, subscriptionStallMs, key, name, ...tuning } = config;
  if (endpoints !== undefined) {
    requireArray('endpoints', endpoints);
    if (endpoints.length > transports.length)
      throw new ConfigError(
        'endpoints',
        `has ${endpoints.length} entries for ${transports.length} transports`,
      );
    endpoints.forEach((entry, i) => {
      if (entry !== undefined) requireObject(`endpoints[${i}]`, entry, '{ label?, priority?, weight? }');
    });
  }
  if (chainId !== undefined) positiveOption('chainId', chainId, 0, true);
  if (retryCount !== undefined) nonNegativeOption('retryCount', retryCount, 0, true);
  if (subscriptionStallMs !== undefined) positiveOption('subscriptionStallMs', subscriptionStallMs, 0);
  if (key !== undefined) requireString('key', key);
  if (name !== undefined) requireString('name', name);
  resolveTuning(tuning);
}
