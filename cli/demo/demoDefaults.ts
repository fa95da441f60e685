// What a demo run uses unless the command line says otherwise, and the shape of its workload.

/** Default length of the Soroban and EVM parts: long enough for every fault step to play out and recover. */
export const DEFAULT_DEMO_SECONDS = 30;
/** Default length of the beacon part: forty half-second slots fit its faults and their recovery. */
export const DEFAULT_BEACON_DEMO_SECONDS = 20;
/** Default probe interval of the demo: faster than the library's 1 s so the table moves visibly. */
export const DEFAULT_DEMO_PROBE_INTERVAL_MS = 400;
/** Most worker processes of `demo --workers`: beyond that a small machine measures its own CPU, not the library. */
export const MAX_DEMO_WORKERS = 16;
/** Concurrent callers: enough that every fault meets calls in flight. */
export const CALLERS = 6;
/** A caller's pause between calls: steady load without spinning a core on localhost round trips. */
export const PAUSE_MS = 20;
/** How often `--web`'s status page samples a part: the demo's faults last seconds, so four times a second. */
export const DEMO_PAGE_SAMPLE_MS = 250;
