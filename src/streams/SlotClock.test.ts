import { describe, expect, test } from 'vitest';
import { ConfigError } from '../errors.js';
import type { Clock } from '../interfaces.js';
import { MAINNET_SLOT_MS, SlotClock } from './SlotClock.js';

function clockAt(wallMs: number): Clock {
  return { now: () => 0, wallNow: () => wallMs, setTimeout: () => () => undefined };
}

describe('SlotClock', () => {
  test('counts slots from genesis and measures the time to the next one', () => {
    const slots = new SlotClock(clockAt(10_000 + 2 * 400 + 150), { genesisTimeMs: 10_000, slotMs: 400 });
    expect(slots.current()).toBe(2);
    expect(slots.msUntilNext()).toBe(250);
    expect(slots.current(10_000 + 3 * 400)).toBe(3);
    expect(slots.msUntilNext(10_000 + 3 * 400)).toBe(400);
    expect(slots.current(9_999)).toBe(-1);
  });

  test('assumes mainnet slots from the Unix epoch until the timing is known', () => {
    const slots = new SlotClock(clockAt(5 * MAINNET_SLOT_MS + 1));
    expect(slots.timing).toBeUndefined();
    expect(slots.slotMs).toBe(MAINNET_SLOT_MS);
    expect(slots.current()).toBe(5);
    slots.setTiming({ genesisTimeMs: 1, slotMs: 1000 });
    expect(slots.current()).toBe(60);
  });

  test('rejects timing that is not a finite genesis and a positive slot length', () => {
    const slots = new SlotClock(clockAt(0));
    expect(() => slots.setTiming({ genesisTimeMs: Number.NaN, slotMs: 1 })).toThrow(ConfigError);
    expect(() => slots.setTiming({ genesisTimeMs: 0, slotMs: 0 })).toThrow(/timing\.slotMs/);
  });
});
