import { describe, expect, it } from 'vitest';
import { TrafficMeter } from './TrafficMeter.js';

describe('TrafficMeter', () => {
  it('gives the rate per second of a cumulative count over the last window', () => {
    const meter = new TrafficMeter(2000);
    expect(meter.recentRate('a')).toBeUndefined();
    meter.sample(0, [{ id: 'a', served: 10 }]);
    expect(meter.recentRate('a')).toBeUndefined();
    meter.sample(1000, [{ id: 'a', served: 13 }]);
    expect(meter.recentRate('a')).toBe(3);
    meter.sample(3000, [{ id: 'a', served: 15 }]);
    // The window now starts at the sample of 1000 ms: 2 more in 2 s.
    expect(meter.recentRate('a')).toBe(1);
    expect(meter.totalServed('a')).toBe(5);
    expect(meter.recentRate('unknown')).toBe(0);
  });
});
