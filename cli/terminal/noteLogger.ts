import type { Logger } from '../../src/index.js';

/**
 * Routes the failover's errors into the demo's event lines. Warnings are left out: they
 * announce the state changes the demo already shows from events.
 *
 * @example
 * withFailover(server, { endpoints, logger: noteLogger((text) => display.note(text)) });
 */
export function noteLogger(note: (text: string) => void): Logger {
  const ignore = () => {};
  return {
    debug: ignore,
    info: ignore,
    warn: ignore,
    error: (obj, msg) => {
      const err = typeof obj === 'object' ? (obj as { err?: unknown }).err : undefined;
      note(`error: ${msg ?? String(obj)}${err instanceof Error ? `: ${err.message}` : ''}`);
    },
  };
}
