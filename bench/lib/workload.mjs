// A closed-loop workload: N callers, each sending its next call as soon as the previous one
// settles, for a fixed time. What a backend with N concurrent users looks like to its RPC client.
import { percentiles, round } from './report.mjs';

/**
 * Runs `call(caller)` from `callers` loops for `durationMs`; a call that throws counts as failed.
 * `inspect(result)` may return a string tag (e.g. 'stale') counted in `tags`.
 * Calls still running at the end are awaited, so every call is counted once.
 *
 * @returns {Promise<{ ok, failed, tags, latencyMs: {p50,p99,max}, wallMs, callsPerSec, cpuUsPerCall, errors }>}
 */
export async function runWorkload({ callers, durationMs, call, inspect, timeline = [] }) {
  const latencies = [];
  const tags = {};
  const errors = {};
  let ok = 0;
  let failed = 0;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const until = started + durationMs;
  const timers = timeline.map(({ atMs, run }) => setTimeout(run, atMs));
  const loop = async (caller) => {
    while (performance.now() < until) {
      const t0 = performance.now();
      try {
        const result = await call(caller);
        ok++;
        const tag = inspect?.(result);
        if (tag) tags[tag] = (tags[tag] ?? 0) + 1;
      } catch (error) {
        failed++;
        const name = error?.name ?? 'Error';
        errors[name] = (errors[name] ?? 0) + 1;
      }
      latencies.push(performance.now() - t0);
    }
  };
  try {
    await Promise.all(Array.from({ length: callers }, (_, i) => loop(i)));
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    ok,
    failed,
    tags,
    errors,
    latencyMs: percentiles(latencies),
    wallMs: round(wallMs),
    callsPerSec: round(((ok + failed) / wallMs) * 1000, 1),
    cpuUsPerCall: round((cpu.user + cpu.system) / Math.max(1, ok + failed), 1),
  };
}
