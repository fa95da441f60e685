import { setTimeout as sleep } from 'node:timers/promises';
import type { CallRecorder } from './CallRecorder.js';

/** One kind of call of a workload's mix, made through the user's failover-wrapped client. */
export interface DemoCall {
  /** The method's name, for failure lines. */
  method: string;
  call(): Promise<unknown>;
  /** The head (ledger, block) the answer was computed at, when the answer tells. @default never tells */
  headOf?(answer: unknown): number | undefined;
}

export interface WorkloadConfig {
  /** Concurrent callers; each waits for its answer before its next call (closed loop). */
  callers: number;
  /** Pause of a caller between two calls, like an app doing some work with each answer. */
  pauseMs: number;
  /** The network's head now, to tell whether an answer is stale. */
  networkHead(): number;
  /** Ledgers or blocks an answer may trail the network head before it counts as stale. */
  lagTolerance: number;
  /** Ms since the start of the demo, to time-stamp failures. */
  elapsed(): number;
}

/** A running workload. */
export interface Workload {
  /** Lets every caller finish its call in flight, then resolves. Starts no new call. */
  stop(): Promise<void>;
}

/**
 * Starts `config.callers` closed-loop callers making the calls of `mix` in turn (real calls
 * through the user's failover-wrapped client), each outcome recorded in `recorder`.
 *
 * @example
 * const workload = startWorkload(sorobanCalls(server), recorder, { callers: 6, pauseMs: 20, ... });
 * await workload.stop();
 */
export function startWorkload(
  mix: readonly DemoCall[],
  recorder: CallRecorder,
  config: WorkloadConfig,
): Workload {
  const stopping = new AbortController();
  if (mix.length === 0) throw new Error('the workload has no method to call');

  const caller = async (index: number): Promise<void> => {
    // Callers start at different places in the mix so every method is in flight at all times.
    for (let turn = index; !stopping.signal.aborted; turn++) {
      const spec = mix[turn % mix.length]!;
      const started = performance.now();
      try {
        const answer = await spec.call();
        const head = spec.headOf?.(answer);
        const stale = head !== undefined && config.networkHead() - head > config.lagTolerance;
        recorder.recordSuccess(performance.now() - started, stale);
      } catch (error) {
        recorder.recordFailure(performance.now() - started, {
          atMs: config.elapsed(),
          method: spec.method,
          message: describeError(error),
        });
      }
      await sleep(config.pauseMs, undefined, { signal: stopping.signal }).catch(() => {});
    }
  };

  const running = Array.from({ length: config.callers }, (_, index) => caller(index));
  return {
    async stop() {
      stopping.abort();
      await Promise.all(running);
    },
  };
}

/** SDKs throw Errors, axios errors or plain JSON-RPC `{ code, message }` objects (rpc.Server does). */
function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'object' && error !== null) return JSON.stringify(error);
  return String(error);
}
