import { randomBytes } from 'node:crypto';
import type { rpc } from '@stellar/stellar-sdk';
import type { DemoCall } from '../startWorkload.js';

/**
 * The Soroban demo's call mix through `server` (the failover-wrapped `rpc.Server`): read-heavy,
 * like an indexer or wallet backend. getTransaction asks for an unknown hash: NOT_FOUND is a
 * normal answer, and its latestLedger still reveals how fresh the node is.
 *
 * @example
 * const workload = startWorkload(sorobanCalls(server), recorder, config);
 */
export function sorobanCalls(server: rpc.Server): DemoCall[] {
  const calls: Omit<DemoCall, 'headOf'>[] = [
    { method: 'getLatestLedger', call: () => server.getLatestLedger() },
    { method: 'getHealth', call: () => server.getHealth() },
    { method: 'getLatestLedger', call: () => server.getLatestLedger() },
    { method: 'getTransaction', call: () => server.getTransaction(randomBytes(32).toString('hex')) },
    { method: 'getNetwork', call: () => server.getNetwork() },
  ];
  return calls.map((spec) => ({ ...spec, headOf: ledgerOf }));
}

/** The ledger an answer was computed at: `sequence` of getLatestLedger, `latestLedger` of the others. */
function ledgerOf(answer: unknown): number | undefined {
  const { sequence, latestLedger } = (answer ?? {}) as { sequence?: unknown; latestLedger?: unknown };
  if (typeof sequence === 'number') return sequence;
  return typeof latestLedger === 'number' ? latestLedger : undefined;
}
