import { describe, expect, it } from 'vitest';
import { ewma, lowerMedian, quantile, ReferenceHeads, referenceHeadFor, SampleWindow } from './scoring.js';

describe('ewma', () => {
  it('is seeded by the first sample', () => {
    expect(ewma(undefined, 120, 0.3)).toBe(120);
  });

  it('moves towards the sample by alpha', () => {
    expect(ewma(100, 200, 0.25)).toBe(125);
    expect(ewma(100, 0, 0.5)).toBe(50);
  });

  it('ignores the sample with alpha 0 and follows it with alpha 1', () => {
    expect(ewma(100, 500, 0)).toBe(100);
    expect(ewma(100, 500, 1)).toBe(500);
  });

  it('converges on a constant input', () => {
    let value: number | undefined = 1000;
    for (let i = 0; i < 100; i++) value = ewma(value, 10, 0.2);
    expect(value).toBeCloseTo(10, 5);
  });
});

describe('quantile', () => {
  const oneToTen = [7, 3, 10, 1, 5, 9, 2, 8, 4, 6];

  it('is undefined for no samples', () => {
    expect(quantile([], 0.5)).toBeUndefined();
  });

  it('uses the nearest rank on unsorted input', () => {
    expect(quantile(oneToTen, 0.5)).toBe(5);
    expect(quantile(oneToTen, 0.95)).toBe(10);
    expect(quantile(oneToTen, 0.9)).toBe(9);
    expect(quantile(oneToTen, 0.11)).toBe(2);
  });

  it('gives the minimum at 0 and the maximum at 1', () => {
    expect(quantile(oneToTen, 0)).toBe(1);
    expect(quantile(oneToTen, 1)).toBe(10);
  });

  it('returns the only sample for any q', () => {
    expect(quantile([42], 0)).toBe(42);
    expect(quantile([42], 0.95)).toBe(42);
  });

  it('does not reorder the caller’s array', () => {
    const samples = [3, 1, 2];
    quantile(samples, 0.5);
    expect(samples).toEqual([3, 1, 2]);
  });
});

describe('lowerMedian', () => {
  it('is undefined for no values', () => {
    expect(lowerMedian([])).toBeUndefined();
  });

  it('is the middle value for an odd count', () => {
    expect(lowerMedian([30, 10, 20])).toBe(20);
    expect(lowerMedian([7])).toBe(7);
  });

  it('is the smaller middle value for an even count', () => {
    expect(lowerMedian([40, 10, 30, 20])).toBe(20);
    expect(lowerMedian([100, 1_000_000])).toBe(100);
  });

  it('does not reorder the caller’s array', () => {
    const values = [3, 1, 2];
    lowerMedian(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('ReferenceHeads', () => {
  it('gives every endpoint the lower median of the others, as sorting them one by one would', () => {
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647);
    for (let round = 0; round < 200; round++) {
      // Few distinct values, so duplicates (of the endpoint's own head too) are common.
      const heads = new Map(
        Array.from({ length: 1 + (next() % 12) }, (_, i) => [`e${i}`, 1000 + (next() % 5)]),
      );
      const references = new ReferenceHeads(heads);
      for (const id of [...heads.keys(), 'absent']) {
        const others = [...heads].filter(([other]) => other !== id).map(([, head]) => head);
        expect(references.for(id)).toBe(lowerMedian(others));
      }
      expect(references.median).toBe(lowerMedian([...heads.values()]));
    }
  });
});

describe('referenceHeadFor', () => {
  it('is undefined when no other endpoint has a head', () => {
    expect(referenceHeadFor('a', new Map())).toBeUndefined();
    expect(referenceHeadFor('a', new Map([['a', 100]]))).toBeUndefined();
  });

  it('ignores the endpoint’s own head', () => {
    const heads = new Map([
      ['a', 50],
      ['b', 100],
      ['c', 101],
    ]);
    expect(referenceHeadFor('a', heads)).toBe(100);
  });

  it('one node claiming a far-ahead head cannot make two honest nodes look behind', () => {
    const heads = new Map([
      ['honest-1', 1000],
      ['honest-2', 1001],
      ['liar', 9_999_999],
    ]);
    expect(referenceHeadFor('honest-1', heads)).toBeLessThanOrEqual(1001);
    expect(referenceHeadFor('honest-2', heads)).toBeLessThanOrEqual(1001);
    // ...while the liar is judged against the honest ones.
    expect(referenceHeadFor('liar', heads)).toBe(1000);
  });

  it('one far-ahead node among four cannot move the reference of the honest ones', () => {
    const heads = new Map([
      ['a', 1000],
      ['b', 1000],
      ['c', 1002],
      ['liar', 9_999_999],
    ]);
    for (const id of ['a', 'b', 'c']) expect(referenceHeadFor(id, heads)).toBeLessThanOrEqual(1002);
  });

  it('a stalled node is behind the median of the others', () => {
    const heads = new Map([
      ['stalled', 900],
      ['b', 1000],
      ['c', 1003],
      ['d', 1004],
    ]);
    const reference = referenceHeadFor('stalled', heads)!;
    expect(reference).toBe(1003);
    expect(reference - heads.get('stalled')!).toBe(103);
  });

  it('a stalled node cannot make an honest node look behind', () => {
    const heads = new Map([
      ['stalled', 900],
      ['b', 1000],
      ['c', 1001],
    ]);
    // b is judged against lowerMedian([900, 1001]) = 900: its lag (reference - head) is not positive.
    expect(referenceHeadFor('b', heads)! - 1000).toBeLessThanOrEqual(0);
    expect(referenceHeadFor('c', heads)! - 1001).toBeLessThanOrEqual(0);
  });
});

describe('SampleWindow', () => {
  it('has no quantile before the first sample', () => {
    expect(new SampleWindow(5).quantile(0.5)).toBeUndefined();
  });

  it('keeps only the most recent `size` samples', () => {
    const window = new SampleWindow(3);
    for (const value of [1000, 2000, 1, 2, 3]) window.push(value);
    expect(window.quantile(1)).toBe(3);
    expect(window.quantile(0)).toBe(1);
  });

  it('stays bounded after many samples', () => {
    const window = new SampleWindow(10);
    for (let i = 1; i <= 10_000; i++) window.push(i);
    expect(window.quantile(0)).toBe(9_991);
    expect(window.quantile(1)).toBe(10_000);
  });
});
