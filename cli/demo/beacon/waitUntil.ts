import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Resolves with true once `condition()` holds, checking every `everyMs`; with false when
 * `timeoutMs` passes first or `signal` aborts. Never throws: the caller goes on either way and
 * shows what it found.
 *
 * @example
 * await waitUntil(() => monitor.latest() !== undefined, { timeoutMs: 5000, everyMs: 50 });
 */
export async function waitUntil(
  condition: () => boolean,
  options: { timeoutMs: number; everyMs: number; signal?: AbortSignal | undefined },
): Promise<boolean> {
  const deadline = performance.now() + options.timeoutMs;
  while (!condition()) {
    if (performance.now() >= deadline || options.signal?.aborted) return false;
    await sleep(options.everyMs, undefined, { signal: options.signal }).catch(() => {});
  }
  return true;
}
