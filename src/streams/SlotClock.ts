import { ConfigError } from '../errors.js';
import type { Clock } from '../interfaces.js';

/** When slot 0 started and how long a slot lasts. */
export interface SlotTiming {
  /** Start of slot 0, wall-clock epoch milliseconds. */
  readonly genesisTimeMs: number;
  /** Length of one slot in milliseconds. */
  readonly slotMs: number;
}

/** Ethereum mainnet's slot length: what a monitor assumes until it learns the real one. */
export const MAINNET_SLOT_MS = 12_000;

/**
 * Slot arithmetic on a {@link Clock}'s wall time. Until the chain's timing is known (`setTiming`),
 * slots are mainnet-long and counted from the Unix epoch, so "once per slot" still means something.
 *
 * @example
 * const slots = new SlotClock(systemClock, { genesisTimeMs: 1_606_824_023_000, slotMs: 12_000 });
 * slots.current();       // the slot now
 * slots.msUntilNext();   // time to the next slot boundary
 */
export class SlotClock {
  #timing: SlotTiming | undefined;
  readonly #clock: Clock;

  constructor(clock: Clock, timing?: SlotTiming) {
    this.#clock = clock;
    if (timing) this.setTiming(timing);
  }

  /** The chain's timing, once known. */
  get timing(): SlotTiming | undefined {
    return this.#timing;
  }

  /** Slot length in use: the chain's, or mainnet's until it is known. */
  get slotMs(): number {
    return this.#timing?.slotMs ?? MAINNET_SLOT_MS;
  }

  /** @throws {ConfigError} when the timing is not two finite numbers with a positive slot length. */
  setTiming(timing: SlotTiming): void {
    this.#timing = validateSlotTiming(timing, 'timing');
  }

  /** The slot at wall time `nowMs` (default: now). Negative before genesis. */
  current(nowMs = this.#clock.wallNow()): number {
    return Math.floor((nowMs - (this.#timing?.genesisTimeMs ?? 0)) / this.slotMs);
  }

  /** Milliseconds until the next slot starts; never 0, so a timer set with it always lands in the next slot. */
  msUntilNext(nowMs = this.#clock.wallNow()): number {
    const genesis = this.#timing?.genesisTimeMs ?? 0;
    const next = genesis + (this.current(nowMs) + 1) * this.slotMs;
    return Math.max(1, next - nowMs);
  }
}

/**
 * Checks a {@link SlotTiming} given by a user or read from a node.
 *
 * @throws {ConfigError} naming `field`.
 */
export function validateSlotTiming(timing: SlotTiming, field: string): SlotTiming {
  const { genesisTimeMs, slotMs } = timing ?? {};
  if (typeof genesisTimeMs !== 'number' || !Number.isFinite(genesisTimeMs))
    throw new ConfigError(`${field}.genesisTimeMs`, `must be a finite number (got ${String(genesisTimeMs)})`);
  if (typeof slotMs !== 'number' || !Number.isFinite(slotMs) || slotMs <= 0)
    throw new ConfigError(`${field}.slotMs`, `must be a positive number (got ${String(slotMs)})`);
  return { genesisTimeMs, slotMs };
}
