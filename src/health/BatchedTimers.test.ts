import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakeClock.js';
import { BatchedTimers } from './BatchedTimers.js';

const SLACK_MS = 20;

function setup() {
  const clock = new FakeClock();
  const timers = new BatchedTimers(clock, SLACK_MS);
  const fired: string[] = [];
  const at = (name: string) => () => fired.push(`${name}@${clock.now()}`);
  return { clock, timers, fired, at };
}

describe('BatchedTimers', () => {
  it('fires the timers due within the slack of the earliest with it, in due order, on one clock timer', () => {
    const { clock, timers, fired, at } = setup();
    timers.setTimeout(at('c'), 1020);
    timers.setTimeout(at('a'), 1000);
    timers.setTimeout(at('b'), 1010);
    timers.setTimeout(at('d'), 1021);
    expect(clock.pending).toBe(1);
    clock.advance(999);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual(['a@1000', 'b@1000', 'c@1000']);
    clock.advance(21);
    expect(fired).toEqual(['a@1000', 'b@1000', 'c@1000', 'd@1021']);
    expect(clock.pending).toBe(0);
  });

  it('never fires late: a timer set sooner than the one awaited wakes the clock at its own time', () => {
    const { clock, timers, fired, at } = setup();
    timers.setTimeout(at('late'), 500);
    timers.setTimeout(at('soon'), 100);
    clock.advance(100);
    expect(fired).toEqual(['soon@100']);
    clock.advance(400);
    expect(fired).toEqual(['soon@100', 'late@500']);
  });

  it('does not fire a cancelled timer, even one cancelled by an earlier callback of its batch', () => {
    const { clock, timers, fired, at } = setup();
    const cancelB = timers.setTimeout(at('b'), 105);
    timers.setTimeout(() => {
      fired.push('a');
      cancelB();
    }, 100);
    const cancelC = timers.setTimeout(at('c'), 300);
    cancelC();
    clock.advance(400);
    expect(fired).toEqual(['a']);
  });

  it('leaves no clock timer once every timer is cancelled', () => {
    const { clock, timers, at } = setup();
    const cancel = timers.setTimeout(at('a'), 100);
    timers.setTimeout(at('b'), 200);
    cancel();
    expect(clock.pending).toBe(1);
    timers.cancelAll();
    expect(clock.pending).toBe(0);
  });

  it('wakes again for the timers a callback sets', () => {
    const { clock, timers, fired } = setup();
    const tick = () => {
      fired.push(`tick@${clock.now()}`);
      if (fired.length < 3) timers.setTimeout(tick, 1000);
    };
    timers.setTimeout(tick, 1000);
    clock.advance(3000);
    expect(fired).toEqual(['tick@1000', 'tick@2000', 'tick@3000']);
  });
});
