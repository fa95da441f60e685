import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakeClock.js';
import { stallTolerantTimer } from './stallTolerantTimer.js';

function armed(ms: number) {
  const clock = new FakeClock();
  const firedAt: number[] = [];
  const cancel = stallTolerantTimer(clock, ms, () => firedAt.push(clock.now()));
  return { clock, firedAt, cancel };
}

describe('stallTolerantTimer', () => {
  it('fires on time when the process kept running', () => {
    const { clock, firedAt } = armed(40);
    clock.advance(39);
    expect(firedAt).toEqual([]);
    clock.advance(1);
    expect(firedAt).toEqual([40]);
  });

  it('tolerates a few ms of timer lateness as ordinary', () => {
    const { clock, firedAt } = armed(40);
    clock.stall(48);
    clock.advance(0);
    expect(firedAt).toEqual([48]);
  });

  it('gives back the time a stalled process lost, once', () => {
    const { clock, firedAt } = armed(40);
    // The loop was blocked from 0 to 70: the timer fires 30 ms late, so 30 ms more are given.
    clock.stall(70);
    clock.advance(29);
    expect(firedAt).toEqual([]);
    clock.advance(1);
    expect(firedAt).toEqual([100]);
  });

  it("gives back at most the timer's own length, and only once", () => {
    const { clock, firedAt } = armed(40);
    clock.stall(1000);
    clock.advance(0);
    // A second stall does not extend it again: it fires at its next chance.
    clock.stall(500);
    clock.advance(0);
    expect(firedAt).toEqual([1500]);
  });

  it('never fires once cancelled, before or after a stall', () => {
    const early = armed(40);
    early.cancel();
    early.clock.advance(100);
    const late = armed(40);
    late.clock.stall(70);
    late.clock.advance(0);
    late.cancel();
    late.clock.advance(100);
    expect([...early.firedAt, ...late.firedAt]).toEqual([]);
  });
});
