import type { Clock } from './interfaces.js';

/**
 * Real time. Timers are `unref`'d: a switchyard instance never keeps the process alive.
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
