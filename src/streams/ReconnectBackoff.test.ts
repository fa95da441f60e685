import { describe, expect, it } from 'vitest';
import { ReconnectBackoff } from './ReconnectBackoff.js';

const MAINNET_SLOT_MS = 12_000;

/** The delays of `count` losses in a row, none after a connection that opened. */
function delays(backoff: ReconnectBackoff, count: number, slotMs = MAINNET_SLOT_MS): number[] {
  return Array.from({ length: count }, () => backoff.nextDelayMs(0, slotMs));
}

describe('ReconnectBackoff', () => {
  it('retries at once, then after 250 ms doubling up to a second', () => {
    expect(delays(new ReconnectBackoff(), 7)).toEqual([0, 250, 500, 1000, 1000, 1000, 1000]);
  });

  it('never waits longer than a short slot', () => {
    expect(delays(new ReconnectBackoff(), 5, 400)).toEqual([0, 250, 400, 400, 400]);
  });

  it('retries at once again after a connection that stayed open a whole slot', () => {
    const backoff = new ReconnectBackoff();
    delays(backoff, 3);
    backoff.opened(1000);
    expect(backoff.nextDelayMs(1000 + MAINNET_SLOT_MS, MAINNET_SLOT_MS)).toBe(0);
    expect(backoff.nextDelayMs(1000 + MAINNET_SLOT_MS, MAINNET_SLOT_MS)).toBe(250);
  });

  it('keeps backing off on a node that accepts and drops within the slot', () => {
    const backoff = new ReconnectBackoff();
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      backoff.opened(i * 1000);
      waits.push(backoff.nextDelayMs(i * 1000 + 10, MAINNET_SLOT_MS));
    }
    expect(waits).toEqual([0, 250, 500, 1000, 1000]);
  });

  it('bounds the attempts on a node that stays down: at most 15 in the first mainnet slot, 12 in each after', () => {
    const backoff = new ReconnectBackoff();
    const attemptTimes: number[] = [];
    let at = 0;
    while (at < 3 * MAINNET_SLOT_MS) {
      at += backoff.nextDelayMs(at, MAINNET_SLOT_MS);
      attemptTimes.push(at);
    }
    const inSlot = (slot: number) =>
      attemptTimes.filter((t) => t >= slot * MAINNET_SLOT_MS && t < (slot + 1) * MAINNET_SLOT_MS).length;
    expect(inSlot(0)).toBeLessThanOrEqual(15);
    expect(inSlot(1)).toBe(12);
    expect(inSlot(2)).toBe(12);
  });
});
