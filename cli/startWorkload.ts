import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { rpc } from '@stellar/stellar-sdk';
import type { CallRecorder } from './CallRecorder.js';

export interface WorkloadConfig {
  /** Concurrent callers; each waits for its answer before its next call (closed loop). */
  callers: number;
  /** Pause of a caller between two calls, like an app doing some work with each answer. */
  pauseMs: number;
  /** The network's head now, to tell whether an answer is stale. */
  networkHead(): number;
  /** Ledgers an answer may trail the network head before it counts as stale. */
  lagTolerance: number;
  /** Ms since the start of the demo, to time-stamp failures. */
  elapsed(): number;
  /**
   * Methods left out of the call mix. The `--workers` demo leaves out `getHealth`, so that
   * the `getHealth` requests a node counts are the probes alone. @default none
   */
  excludeMethods?: readonly string[];
}

/** A running workload. */
export interface Workload {
  /** Lets every caller finish its call in flight, then resolves. Starts no new call. */
  stop(): Promise<void>;
}

interface CallSpec {
  method: string;
  call(server: rpc.Server): Promise<unknown>;
}

// A read-heavy mix like an indexer or wallet backend. getTransaction asks for an unknown hash:
// NOT_FOUND is a normal answer, and its latestLedger still reveals how fresh the node is.
const MIX: readonly CallSpec[] = [
  { method: 'getLatestLedger', call: (server) => server.getLatestLedger() },
  { method: 'getHealth', call: (server) => server.getHealth() },
  { method: 'getLatestLedger', call: (server) => server.getLatestLedger() },
  { method: 'getTransaction', call: (server) => server.getTransaction(randomBytes(32).toString('hex')) },
  { method: 'getNetwork', call: (server) => server.getNetwork() },
];

/**
 * Starts `config.callers` closed-loop callers making real calls through `server` (the
 * failover-wrapped `rpc.Server`), each outcome recorded in `recorder`.
 *
 * @example
 * const workload = startWorkload(server, recorder, { callers: 6, pauseMs: 20, ... });
 * await workload.stop();
 */
export function startWorkload(server: rpc.Server, recorder: CallRecorder, config: WorkloadConfig): Workload {
  const stopping = new AbortController();
  const mix = MIX.filter((spec) => !config.excludeMethods?.includes(spec.method));
  if (mix.length === 0) throw new Error('the workload has no method left to call');

  const caller = async (index: number): Promise<void> => {
    // Callers start at different places in the mix so every method is in flight at all times.
    for (let turn = index; !stopping.signal.aborted; turn++) {
      const spec = mix[turn % mix.length]!;
      const started = performance.now();
      try {
        const answer = await spec.call(server);
        const ledger = ledgerOf(answer);
        const stale = ledger !== undefined && config.networkHead() - ledger > config.lagTolerance;
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

/** The ledger an answer was computed at: `sequence` of getLatestLedger, `latestLedger` of the others. */
function ledgerOf(answer: unknown): number | undefined {
  const { sequence, latestLedger } = (answer ?? {}) as { sequence?: unknown; latestLedger?: unknown };
  if (typeof sequence === 'number') return sequence;
  return typeof latestLedger === 'number' ? latestLedger : undefined;
}

/** Errors from rpc.Server are Errors, axios errors or plain JSON-RPC `{ code, message }` objects. */
function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'object' && error !== null) return JSON.stringify(error);
  return String(error);
}
