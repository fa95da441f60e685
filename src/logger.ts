import type { Logger } from './interfaces.js';

const ignore = () => {};

/**
 * The default logger: warnings and errors to the console, nothing else. Pass a pino (or any
 * `{ debug, info, warn, error }`) logger in the options to route them elsewhere.
 */
export const consoleLogger: Logger = {
  debug: ignore,
  info: ignore,
  warn: (obj, msg) => console.warn('[switchyard]', msg ?? obj, msg === undefined ? '' : obj),
  error: (obj, msg) => console.error('[switchyard]', msg ?? obj, msg === undefined ? '' : obj),
};

/** A logger that drops everything. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
