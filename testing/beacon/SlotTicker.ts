import { HeadClock } from '../simulated/HeadClock.js';
import type { BeaconNetworkOptions } from './options.js';
import { SLOTS_PER_EPOCH } from './payloads.js';

/** The slot timing and stream settings of a cluster, checked, with their defaults. */
export interface SlotConfig {
  genesisTime: number;
  slotMs: number;
  keepAliveMs: number;
}

const DEFAULT_SLOT_MS = 12_000;
const DEFAULT_GENESIS_SLOTS_AGO = 2 * SLOTS_PER_EPOCH;
/** Below this a slot timer and a write per stream every few milliseconds would swamp the test process. */
const MIN_SLOT_MS = 10;

/**
 * The network options of a cluster with their defaults; throws a RangeError naming the first bad one.
 *
 * @example
 * const ticker = new SlotTicker(slotConfig({ slotMs: 200 }));
 */
export function slotConfig(options: BeaconNetworkOptions): SlotConfig {
  const slotMs = options.slotMs ?? DEFAULT_SLOT_MS;
  if (!Number.isSafeInteger(slotMs) || slotMs < MIN_SLOT_MS) {
    throw new RangeError(`slotMs must be an integer of at least ${MIN_SLOT_MS}, got ${slotMs}`);
  }
  const nowSeconds = Math.floor(Date.now() / 1000);
  const genesisTime =
    options.genesisTime ?? nowSeconds - Math.ceil((DEFAULT_GENESIS_SLOTS_AGO * slotMs) / 1000);
  if (!Number.isSafeInteger(genesisTime) || genesisTime < 0 || genesisTime > nowSeconds) {
    throw new RangeError(`genesisTime must be whole unix seconds, not in the future, got ${genesisTime}`);
  }
  const keepAliveMs = options.keepAliveMs ?? 0;
  if (!Number.isFinite(keepAliveMs) || keepAliveMs < 0) {
    throw new RangeError(`keepAliveMs must be 0 or more, got ${keepAliveMs}`);
  }
  return { genesisTime, slotMs, keepAliveMs };
}

/**
 * The slot a cluster is in by the wall clock, counted up at each slot boundary (at or just after it): the
 * head every node of a beacon cluster derives its own from. A simulator's own small timer, apart from the
 * core's `SlotClock` (slot arithmetic for monitors).
 *
 * @example
 * const ticker = new SlotTicker(slotConfig({ slotMs: 200 }));
 * ticker.onHead((slot) => console.log('slot', slot));
 * ticker.start();
 */
export class SlotTicker extends HeadClock {
  private boundaryTimer: NodeJS.Timeout | undefined;

  constructor(readonly config: SlotConfig) {
    super(0);
    this.head = this.slotNow();
  }

  private slotNow(): number {
    return Math.floor((Date.now() - this.config.genesisTime * 1000) / this.config.slotMs);
  }

  /** Ticks from now on; slots that passed before are not replayed. Nothing once stopped. */
  start(): void {
    if (this.boundaryTimer || this.stopped) return;
    // Slots that passed between construction and start were never streamed; no need to replay them.
    this.head = this.slotNow();
    this.schedule();
  }

  /** Stops ticking for good; see `HeadClock.stop`. */
  override stop(): void {
    clearTimeout(this.boundaryTimer);
    this.boundaryTimer = undefined;
    super.stop();
  }

  /**
   * A fresh timeout to each boundary rather than setInterval, so ticks never drift ahead of the slot; a
   * timer that fires early just re-arms, one that fires late (busy event loop) catches up slot by slot.
   */
  private schedule(): void {
    const { genesisTime, slotMs } = this.config;
    const boundary = genesisTime * 1000 + (this.head + 1) * slotMs;
    this.boundaryTimer = setTimeout(() => {
      const target = this.slotNow();
      while (this.head < target && !this.stopped) {
        this.head += 1;
        this.emit(this.head);
      }
      if (!this.stopped) this.schedule();
    }, boundary - Date.now());
    // The clock alone must not keep a test process alive.
    this.boundaryTimer.unref();
  }
}
