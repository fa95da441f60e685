import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retryAfter.js';

describe('parseRetryAfter', () => {
  it('reads seconds, as a string or a number', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(0.5)).toBe(500);
  });

  it('reads an HTTP date as the time left until it', () => {
    expect(parseRetryAfter(new Date(Date.now() + 10_000).toUTCString())).toBeGreaterThan(8000);
    expect(parseRetryAfter(new Date(Date.now() - 10_000).toUTCString())).toBe(0);
  });

  it('gives undefined for what it cannot read', () => {
    for (const value of ['soon', '', '   ', undefined, null, -1, {}])
      expect(parseRetryAfter(value)).toBeUndefined();
  });
});
