import { createHash } from 'node:crypto';

// What beacon nodes send, with roots derived from the slot so every node (and every test) agrees on them.

/** Slots in an epoch, as on mainnet. */
export const SLOTS_PER_EPOCH = 32;
/** Proposer indexes are drawn from a validator set of this size. */
const VALIDATOR_COUNT = 1024;

/** Deterministic 32-byte hex value, so every node (and every test) agrees on roots. */
export function root(label: string): string {
  return `0x${createHash('sha256').update(label).digest('hex')}`;
}

/** Block root of `slot`: `0x` + sha256(`block-<slot>`). */
export function blockRoot(slot: number): string {
  return root(`block-${slot}`);
}

/** Root of the last block of the epoch before `epoch`, as the duty-dependent roots are defined. */
function dependentRoot(epoch: number): string {
  return blockRoot(Math.max(0, epoch * SLOTS_PER_EPOCH - 1));
}

/** The `genesis_validators_root` every node of every cluster serves, unless told otherwise. */
export const GENESIS_VALIDATORS_ROOT = root('genesis-validators');

/** One server-sent event. */
export function sseEvent(event: string, data: string): string {
  return `event: ${event}\ndata: ${data}\n\n`;
}

/** The data of a `head` event for `slot`. */
export function headPayload(slot: number, optimistic: boolean): Record<string, unknown> {
  const epoch = Math.floor(slot / SLOTS_PER_EPOCH);
  return {
    slot: String(slot),
    block: blockRoot(slot),
    state: root(`state-${slot}`),
    epoch_transition: slot % SLOTS_PER_EPOCH === 0,
    previous_duty_dependent_root: dependentRoot(epoch - 1),
    current_duty_dependent_root: dependentRoot(epoch),
    execution_optimistic: optimistic,
  };
}

/** The answer of `headers/head` for a node whose head is `slot`. */
export function headerPayload(slot: number, optimistic: boolean): Record<string, unknown> {
  const signature = root(`signature-${slot}`).slice(2);
  return {
    execution_optimistic: optimistic,
    finalized: false,
    data: {
      root: blockRoot(slot),
      canonical: true,
      header: {
        message: {
          slot: String(slot),
          proposer_index: String(
            Number.parseInt(root(`proposer-${slot}`).slice(2, 10), 16) % VALIDATOR_COUNT,
          ),
          parent_root: slot === 0 ? `0x${'00'.repeat(32)}` : blockRoot(slot - 1),
          state_root: root(`state-${slot}`),
          body_root: root(`body-${slot}`),
        },
        signature: `0x${signature.repeat(3)}`,
      },
    },
  };
}

/** Bad events `sendMalformed` can write: invalid JSON, a topic nobody asked for, a head without `block`. */
export type BeaconMalformedKind = 'json' | 'unexpected-event' | 'missing-fields';

/**
 * A bad event for `slot`: `json` is a head event whose data is not JSON, `unexpected-event` a well-formed
 * `block` event, `missing-fields` a head without `block`.
 *
 * @example
 * streams.write(malformedEvent('json', node.head, false));
 */
export function malformedEvent(kind: BeaconMalformedKind, slot: number, optimistic: boolean): string {
  if (kind === 'json') return sseEvent('head', `{"slot":"${slot}","block":`);
  if (kind === 'unexpected-event') {
    const block = { slot: String(slot), block: blockRoot(slot), execution_optimistic: optimistic };
    return sseEvent('block', JSON.stringify(block));
  }
  const { block: _omitted, ...rest } = headPayload(slot, optimistic);
  return sseEvent('head', JSON.stringify(rest));
}
