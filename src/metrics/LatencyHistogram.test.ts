import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS_MS, LatencyHistogram } from './LatencyHistogram.js';

describe('LatencyHistogram', () => {
  it('counts cumulatively per bucket, with the overflow only in count and sum', () => {
    const histogram = new LatencyHistogram();
    for (const ms of [1, 5, 7, 300, 20_000]) histogram.observe(ms);
    const { bucketsMs, counts, count, sumMs } = histogram.snapshot();
    expect(bucketsMs).toEqual(LATENCY_BUCKETS_MS);
    expect(counts).toEqual([2, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4]);
    expect(count).toBe(5);
    expect(sumMs).toBe(20_313);
  });

  it('ignores values that are not durations', () => {
    const histogram = new LatencyHistogram();
    for (const ms of [Number.NaN, -1, Number.POSITIVE_INFINITY]) histogram.observe(ms);
    expect(histogram.snapshot().count).toBe(0);
  });
});
