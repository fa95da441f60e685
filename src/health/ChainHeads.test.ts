import { describe, expect, it } from 'vitest';
import { ChainHeads, type ChainHeadsConfig } from './ChainHeads.js';

const heads = (config: Partial<ChainHeadsConfig> = {}) =>
  new ChainHeads({ lagTolerance: 2, headIntervalMs: undefined, probeIntervalMs: 100, ...config });

/** Feeds one update per interval: `rows[i]` are the heads at `i * stepMs`. */
function run(chain: ChainHeads, rows: Record<string, number>[], stepMs = 1000): number {
  let now = 0;
  for (const row of rows) {
    chain.update(new Map(Object.entries(row)), now);
    now += stepMs;
  }
  return now - stepMs;
}

/** Three nodes in step for `count` blocks at one block per second. */
const inStep = (count: number, from = 100) =>
  Array.from({ length: count }, (_, i) => ({ a: from + i, b: from + i, c: from + i }));

describe('ChainHeads: the reference is the highest credible head', () => {
  it('follows the freshest node, not a stale majority (two of three behind)', () => {
    const chain = heads();
    const now = run(chain, [...inStep(10), { a: 104, b: 108, c: 110 }]);
    expect(chain.reference).toBe(110);
    expect(chain.judge('a', 104, now, now, now)).toEqual({ kind: 'behind', lag: 6 });
    expect(chain.judge('b', 108, now, now, now)).toEqual({ kind: 'fresh', lag: 2 });
    expect(chain.judge('c', 110, now, now, now)).toEqual({ kind: 'fresh', lag: 0 });
  });

  it('learns the chain clock from how the reference advances', () => {
    const chain = heads();
    expect(chain.intervalMs).toBeUndefined();
    run(chain, inStep(6));
    expect(chain.intervalMs).toBe(1000);
    expect(heads({ headIntervalMs: 5000 }).intervalMs).toBe(5000);
  });

  it.each([2, 3])(
    'with %i endpoints, one that jumps ahead of the clock is the suspect, not the others',
    (count) => {
      const chain = heads();
      const ids = ['a', 'b', 'c'].slice(0, count);
      const row = (head: number) => Object.fromEntries(ids.map((id) => [id, head]));
      const now = run(chain, [
        ...Array.from({ length: 8 }, (_, i) => row(100 + i)),
        { ...row(108), a: 408 }, // `anvil_mine 300` on a
      ]);
      expect(chain.reference).toBe(108);
      expect(chain.judge('a', 408, now, now, now)).toMatchObject({ kind: 'ahead' });
      for (const id of ids.slice(1))
        expect(chain.judge(id, 108, now, now, now)).toEqual({ kind: 'fresh', lag: 0 });
    },
  );

  it('believes a jump that another endpoint confirms', () => {
    const chain = heads();
    run(chain, [...inStep(8), { a: 400, b: 401, c: 107 }]);
    expect(chain.reference).toBe(401);
  });

  it.each([
    [2, { honest: 1000, liar: 9_999_999 }],
    [3, { 'honest-1': 1000, 'honest-2': 1001, liar: 9_999_999 }],
    [4, { a: 1000, b: 1000, c: 1002, liar: 9_999_999 }],
  ])('before the clock is known, one far-ahead node (of %i) makes no one lagging', (_, row) => {
    const chain = heads();
    chain.update(new Map(Object.entries(row)), 0);
    expect(chain.reference).toBeLessThanOrEqual(1002);
    for (const [id, head] of Object.entries(row)) {
      expect(chain.judge(id, head, 0, 0, 0)?.kind).toBe('fresh');
    }
  });

  it('a lone endpoint is its own reference, even when it jumps', () => {
    const chain = heads();
    const now = run(chain, [...Array.from({ length: 8 }, (_, i) => ({ a: 100 + i })), { a: 900 }]);
    expect(chain.reference).toBe(900);
    expect(chain.judge('a', 900, now, now, now)).toEqual({ kind: 'fresh', lag: 0 });
  });

  it('a head that stops moving is stalled on its own evidence, whatever the others say', () => {
    const chain = heads({ headIntervalMs: 1000 });
    chain.update(new Map([['a', 100]]), 0);
    expect(chain.judge('a', 100, 0, 0, 3900)?.kind).toBe('fresh');
    // tolerance 2 + 2 intervals of 1 s: stalled after 4 s still.
    expect(chain.judge('a', 100, 0, 0, 4100)).toEqual({ kind: 'stalled', lag: 0, forMs: 4100 });
  });

  it('judges a stall on no fewer than three probe intervals', () => {
    const chain = heads({ headIntervalMs: 10, probeIntervalMs: 1000 });
    chain.update(new Map([['a', 100]]), 0);
    expect(chain.judge('a', 100, 0, 0, 2900)?.kind).toBe('fresh');
    expect(chain.judge('a', 100, 0, 0, 3100)?.kind).toBe('stalled');
  });

  it('does not judge stalls while the clock is unknown', () => {
    const chain = heads();
    chain.update(new Map([['a', 100]]), 0);
    expect(chain.judge('a', 100, 0, 0, 1_000_000)?.kind).toBe('fresh');
  });

  it('doubts an answer that trails the reference by more than the tolerance', () => {
    const chain = heads();
    expect(chain.doubts('a', 1)).toBe(false);
    chain.update(new Map([['a', 100]]), 0);
    expect(chain.doubts('a', 98)).toBe(false);
    expect(chain.doubts('a', 97)).toBe(true);
  });

  it('doubts an answer above the reference from an endpoint judged ahead of the clock, and only that', () => {
    const chain = heads();
    run(chain, [...inStep(8), { a: 408, b: 108, c: 108 }]); // `anvil_mine 300` on a
    expect(chain.doubts('a', 409)).toBe(true);
    // The same head from an endpoint not judged ahead, or a's answer back in step, is believed.
    expect(chain.doubts('b', 109)).toBe(false);
    expect(chain.doubts('a', 108)).toBe(false);
  });

  it("with the chain's own clock (beacon slots), a lone stuck node cannot hide a live one from the start", () => {
    let slot = 1000;
    const chain = heads({ clockHead: () => slot });
    chain.update(
      new Map([
        ['stuck', 1],
        ['live', 1000],
      ]),
      0,
    );
    expect(chain.reference).toBe(1000);
    expect(chain.judge('stuck', 1, 0, 0, 0)).toEqual({ kind: 'behind', lag: 999 });
    slot = 1001;
    chain.update(
      new Map([
        ['stuck', 1],
        ['future', 1100],
        ['live', 1001],
      ]),
      12_000,
    );
    expect(chain.reference).toBe(1001);
    expect(chain.judge('future', 1100, 12_000, 12_000, 12_000)).toEqual({ kind: 'ahead', ceiling: 1004 });
  });

  it('judges a head against the reference of when it was asked for, not of now', () => {
    const chain = heads();
    run(chain, inStep(10), 100); // a block every 100 ms, seen every 100 ms
    // b was last asked 900 ms ago at 101: nine blocks ago, it was at the head.
    expect(chain.judge('b', 101, 100, 900, 900)).toEqual({ kind: 'fresh', lag: 0 });
    expect(chain.judge('b', 101, 900, 900, 900)).toEqual({ kind: 'behind', lag: 8 });
  });

  it('has nothing to judge without a head or a reference', () => {
    const chain = heads();
    expect(chain.judge('a', 100, 0, 0, 0)).toBeUndefined();
    chain.update(new Map([['a', 100]]), 0);
    expect(chain.judge('b', undefined, 0, 0, 0)).toBeUndefined();
  });
});
