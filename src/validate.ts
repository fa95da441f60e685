import { ConfigError } from './errors.js';
import type { Logger } from './interfaces.js';

/*
 * Checks of option values that are not numbers (those are `positiveOption` and `nonNegativeOption`).
 * Every entry point runs them before it starts anything, so a mistake is a ConfigError naming the
 * field instead of a TypeError from deep inside (or, worse, inside a timer later). Messages say what
 * kind of value was given, never the value itself: an option may hold a key.
 */

/** The kind of a value, for messages: `a string`, `an array`, `null`, ... */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return `${type === 'object' ? 'an' : 'a'} ${type}`;
}

/**
 * Checks that an option is an array.
 *
 * @throws {ConfigError} naming `field` unless `value` is an array.
 *
 * @example
 * requireArray('endpoints', 'https://rpc.example') // ConfigError: endpoints: must be an array (got a string)
 */
export function requireArray(field: string, value: unknown): asserts value is readonly unknown[] {
  if (!Array.isArray(value)) throw new ConfigError(field, `must be an array (got ${kindOf(value)})`);
}

/**
 * Checks that an option is a function.
 *
 * @throws {ConfigError} naming `field` unless `value` is a function.
 *
 * @example
 * requireFunction('random', 0.5) // ConfigError: random: must be a function (got a number)
 */
export function requireFunction(
  field: string,
  value: unknown,
): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw new ConfigError(field, `must be a function (got ${kindOf(value)})`);
}

/**
 * Checks that an option is an object of options; `expected` describes it in the message.
 *
 * @throws {ConfigError} naming `field` unless `value` is a plain object (not null, not an array).
 *
 * @example
 * requireObject('hedge', 'yes', 'false or { minDelayMs?, maxDelayMs? }')
 * // ConfigError: hedge: must be false or { minDelayMs?, maxDelayMs? } (got a string)
 */
export function requireObject(
  field: string,
  value: unknown,
  expected = 'an object',
): asserts value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigError(field, `must be ${expected} (got ${kindOf(value)})`);
}

/**
 * Checks that a replaceable part (a router, a clock, a store...) has the methods it is called by.
 *
 * @throws {ConfigError} naming `field` unless `value` is an object with every one of `methods`;
 * a missing method is named as `field.method`.
 *
 * @example
 * requireObjectWithMethods('router', { rank }, ['rank', 'plan']) // ConfigError: router.plan: must be a function (got undefined)
 */
export function requireObjectWithMethods(field: string, value: unknown, methods: readonly string[]): void {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function'))
    throw new ConfigError(
      field,
      `must be an object with ${methods.map((m) => `${m}()`).join(', ')} (got ${kindOf(value)})`,
    );
  for (const method of methods)
    requireFunction(`${field}.${method}`, (value as Record<string, unknown>)[method]);
}

/**
 * Checks that an option is a non-empty string.
 *
 * @throws {ConfigError} naming `field` unless `value` is a non-empty string.
 *
 * @example
 * requireString('label', 7) // ConfigError: label: must be a non-empty string (got a number)
 */
export function requireString(field: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value === '')
    throw new ConfigError(
      field,
      `must be a non-empty string (got ${value === '' ? 'an empty one' : kindOf(value)})`,
    );
}

/**
 * Checks that an option is an object of strings, such as HTTP headers.
 *
 * @throws {ConfigError} naming `field`, or `field.name` for a value of another type.
 *
 * @example
 * requireStringRecord('headers', { 'X-Api-Key': 1234 }) // ConfigError: headers.X-Api-Key: must be a string (got a number)
 */
export function requireStringRecord(field: string, value: unknown): asserts value is Record<string, string> {
  requireObject(field, value, 'an object of strings');
  for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
    if (typeof entry !== 'string')
      throw new ConfigError(`${field}.${name}`, `must be a string (got ${kindOf(entry)})`);
  }
}

/**
 * Checks that an option is a {@link Logger}: every level may be called, so each must be a function.
 *
 * @throws {ConfigError} naming `field`, or `field.method` for a missing level.
 *
 * @example
 * requireLogger('logger', { ...console, warn: 'no' }) // ConfigError: logger.warn: must be a function (got a string)
 */
export function requireLogger(field: string, value: unknown): asserts value is Logger {
  requireObjectWithMethods(field, value, ['debug', 'info', 'warn', 'error']);
}
