import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakeClock.js';
import { CoalescedTimers } from './CoalescedTimers.js';

// Pure timing logic under a fake clock: what fires when, and how many clock timers it takes.

let clock: FakeClock;
let timers: CoalescedTimers;
let fired: string[];

beforeEach(() => {
  clock = new FakeClock();
  timers = new CoalescedTimers(clock);
  fired = [];
});

const record = (name: string) => () => fired.push(`${name}@${clock.now()}`);

describe('CoalescedTimers', () => {
  it('gives timers set together with one delay one clock timer, and runs them in order in one turn', () => {
    for (const name of ['a', 'b', 'c']) timers.setTimeout(record(name), 50);
    clock.advance(0);
    expect(clock.pending).toBe(1);
    clock.advance(49);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual(['a@50', 'b@50', 'c@50']);
    expect(clock.pending).toBe(0);
  });

  it('lets a timer set before the clock next runs timers join, firing as early as the loop was busy', () => {
    timers.setTimeout(record('first'), 50);
    clock.stall(5);
    timers.setTimeout(record('joined'), 50);
    clock.advance(0);
    expect(clock.pending).toBe(1);
    clock.advance(45);
    expect(fired).toEqual(['first@50', 'joined@50']);
  });

  it('starts a bucket of its own for a timer set once the clock ran timers', () => {
    timers.setTimeout(record('first'), 50);
    clock.advance(1);
    timers.setTimeout(record('own'), 50);
    clock.advance(0);
    expect(clock.pending).toBe(2);
    clock.advance(100);
    expect(fired).toEqual(['first@50', 'own@51']);
  });

  it('never fires a timer more than half its delay early, however long the loop was busy', () => {
    timers.setTimeout(record('first'), 50);
    clock.stall(25);
    timers.setTimeout(record('joined'), 50);
    clock.stall(1);
    timers.setTimeout(record('own'), 50);
    clock.advance(100);
    expect(fired).toEqual(['first@50', 'joined@50', 'own@76']);
  });

  it('keeps timers of different delays apart', () => {
    timers.setTimeout(record('long'), 500);
    timers.setTimeout(record('short'), 50);
    clock.advance(0);
    expect(clock.pending).toBe(2);
    clock.advance(500);
    expect(fired).toEqual(['short@50', 'long@500']);
  });

  it('cancels one timer and leaves the others of its bucket', () => {
    timers.setTimeout(record('a'), 50);
    const cancelB = timers.setTimeout(record('b'), 50);
    timers.setTimeout(record('c'), 50);
    cancelB();
    clock.advance(50);
    expect(fired).toEqual(['a@50', 'c@50']);
  });

  it('clears its clock timers when the last timer is cancelled', () => {
    const cancels = [timers.setTimeout(record('a'), 50), timers.setTimeout(record('b'), 50)];
    for (const cancel of cancels) cancel();
    expect(clock.pending).toBe(0);
    // A timer set afterwards opens a fresh bucket, due after its own delay.
    clock.advance(1);
    timers.setTimeout(record('later'), 50);
    clock.advance(100);
    expect(fired).toEqual(['later@51']);
  });

  it('ignores a cancel after the timer fired, and a second cancel', () => {
    const cancelA = timers.setTimeout(record('a'), 50);
    const cancelB = timers.setTimeout(record('b'), 50);
    cancelB();
    cancelB();
    clock.advance(50);
    cancelA();
    expect(fired).toEqual(['a@50']);
    expect(clock.pending).toBe(0);
  });

  it('skips a timer of the same bucket cancelled by one that ran before it', () => {
    let cancelLast = () => {};
    timers.setTimeout(() => cancelLast(), 50);
    cancelLast = timers.setTimeout(record('last'), 50);
    clock.advance(100);
    expect(fired).toEqual([]);
  });

  it('gives a timer set from a running callback a bucket of its own, after its full delay', () => {
    timers.setTimeout(() => {
      record('a')();
      timers.setTimeout(record('next'), 50);
    }, 50);
    clock.advance(50);
    expect(fired).toEqual(['a@50']);
    clock.advance(50);
    expect(fired).toEqual(['a@50', 'next@100']);
  });

  it('runs one callback set twice twice; cancelling one of them leaves the other', () => {
    let runs = 0;
    const callback = () => runs++;
    timers.setTimeout(callback, 50);
    const cancelSecond = timers.setTimeout(callback, 50);
    timers.setTimeout(callback, 50);
    cancelSecond();
    clock.advance(50);
    expect(runs).toBe(2);
  });

  it('runs the whole bucket when a callback throws, then throws its error', () => {
    const boom = new Error('boom');
    timers.setTimeout(record('a'), 50);
    timers.setTimeout(() => {
      throw boom;
    }, 50);
    timers.setTimeout(record('c'), 50);
    expect(() => clock.advance(50)).toThrow(boom);
    expect(fired).toEqual(['a@50', 'c@50']);
  });
});
