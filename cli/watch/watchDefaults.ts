// What `switchyard watch` uses unless the command line says otherwise.

/** Default probe interval of `watch`: the library's own default. */
export const DEFAULT_WATCH_INTERVAL_MS = 1000;
/** Shortest probe interval of `watch`: real endpoints, often metered, are probed that often each. */
export const MIN_WATCH_INTERVAL_MS = 50;
