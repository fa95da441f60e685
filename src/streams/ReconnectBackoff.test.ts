import { describe, expect, it } from 'vitest';
import { ReconnectBackoff } from './ReconnectBackoff.js';

const MAINNET_SLOT_MS = 12_000;

/** A stream lost at `from` ms on a node that then refuses every retry: the retry times before `until`. */
function retriesOnDownNode(from: number, until: number, slotMs = MAINNET_SLOT_MS): number[] {
  const backoff = new ReconnectBackoff();
  const slotAt = (ms: number) => Math.floor(ms / slotMs);
  const times: number[] = [];
  let at = from;
  for (;;) {
    at += backoff.nextDelayMs(at, slotAt(at), slotMs);
    if (at >= until) return times;
    times.push(at);
    backoff.retrying(slotAt(at));
  }
}

describe('ReconnectBackoff', () => {
  it('retries at once, then after 250 ms doubling up to a second', () => {
    expect(retriesOnDownNode(1000, 6000)).toEqual([1000, 1250, 1750, 2750, 3750, 4750, 5750]);
  });

  it('never waits longer than a short slot', () => {
    expect(retriesOnDownNode(10, 1600, 400)).toEqual([10, 260, 660, 1060, 1460]);
  });

  it('retries at once again in a new slot a stream that opened and dropped', () => {
    const backoff = new ReconnectBackoff();
    backoff.retrying(0);
    backoff.opened(100);
    expect(backoff.nextDelayMs(200, 0, MAINNET_SLOT_MS)).toBe(250);
    backoff.retrying(0);
    backoff.opened(500);
    expect(backoff.nextDelayMs(MAINNET_SLOT_MS + 100, 1, MAINNET_SLOT_MS)).toBe(0);
  });

  it('keeps backing off on a node that accepts and drops within the slot', () => {
    const backoff = new ReconnectBackoff();
    backoff.retrying(0);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      backoff.opened(i * 1000);
      waits.push(backoff.nextDelayMs(i * 1000 + 10, 0, MAINNET_SLOT_MS));
      backoff.retrying(0);
    }
    expect(waits).toEqual([250, 500, 1000, 1000, 1000]);
  });

  it('starts the delays over after a connection that stayed open a whole slot', () => {
    const backoff = new ReconnectBackoff();
    backoff.retrying(0);
    for (let i = 0; i < 4; i++) backoff.nextDelayMs(0, 0, MAINNET_SLOT_MS);
    backoff.opened(0);
    backoff.retrying(1);
    expect(backoff.nextDelayMs(MAINNET_SLOT_MS, 1, MAINNET_SLOT_MS)).toBe(250);
  });

  it('bounds the retries on a node that stays down: at most 15 in the first mainnet slot, 13 in each after', () => {
    const times = retriesOnDownNode(0, 3 * MAINNET_SLOT_MS);
    const inSlot = (slot: number) =>
      times.filter((t) => t >= slot * MAINNET_SLOT_MS && t < (slot + 1) * MAINNET_SLOT_MS).length;
    expect(inSlot(0)).toBeLessThanOrEqual(15);
    expect(inSlot(1)).toBeLessThanOrEqual(13);
    expect(inSlot(2)).toBeLessThanOrEqual(13);
  });
});
