import { describe, expect, it } from 'vitest';
import { configErrorOf } from '../test/helpers.js';
import { type FailoverConfig, resolveTuning } from './options.js';

const tuningErrorOf = (config: FailoverConfig) => configErrorOf(() => resolveTuning(config));

describe('resolveTuning: defaults', () => {
  it('applies the documented defaults', () => {
    expect(resolveTuning({})).toEqual({
      probeIntervalMs: 1000,
      probeTimeoutMs: 800,
      latencyThresholdMs: 500,
      lagTolerance: 5,
      timeoutMs: 10_000,
      maxAttempts: Number.POSITIVE_INFINITY,
      hedge: { minDelayMs: 50, maxDelayMs: 500 },
      breakerThreshold: 3,
      recoverySamples: 2,
    });
  });

  it('defaults the probe timeout to 80 % of a short interval', () => {
    expect(resolveTuning({ probeIntervalMs: 250 }).probeTimeoutMs).toBe(200);
  });

  it('caps the default probe timeout at 800 ms for long intervals', () => {
    expect(resolveTuning({ probeIntervalMs: 5000 }).probeTimeoutMs).toBe(800);
  });

  it('keeps given values', () => {
    const tuning = resolveTuning({
      probeIntervalMs: 2000,
      probeTimeoutMs: 1500,
      latencyThresholdMs: 250,
      lagTolerance: 0,
      timeoutMs: 3000,
      maxAttempts: 5,
      hedge: { minDelayMs: 20, maxDelayMs: 80 },
      breakerThreshold: 1,
      recoverySamples: 4,
    });
    expect(tuning).toEqual({
      probeIntervalMs: 2000,
      probeTimeoutMs: 1500,
      latencyThresholdMs: 250,
      lagTolerance: 0,
      timeoutMs: 3000,
      maxAttempts: 5,
      hedge: { minDelayMs: 20, maxDelayMs: 80 },
      breakerThreshold: 1,
      recoverySamples: 4,
    });
  });

  it('turns hedging off with hedge: false', () => {
    expect(resolveTuning({ hedge: false }).hedge).toBe(false);
  });

  it('raises the default hedge maximum to a larger given minimum', () => {
    expect(resolveTuning({ hedge: { minDelayMs: 700 } }).hedge).toEqual({ minDelayMs: 700, maxDelayMs: 700 });
  });

  it('takes the lag tolerance from the chain default, the option winning over it', () => {
    expect(resolveTuning({}, { lagTolerance: 2 }).lagTolerance).toBe(2);
    expect(resolveTuning({ lagTolerance: 9 }, { lagTolerance: 2 }).lagTolerance).toBe(9);
    expect(resolveTuning({ lagTolerance: 0 }, { lagTolerance: 2 }).lagTolerance).toBe(0);
  });
});

describe('resolveTuning: invalid values name the field', () => {
  const positiveFields = [
    'probeIntervalMs',
    'probeTimeoutMs',
    'latencyThresholdMs',
    'timeoutMs',
    'maxAttempts',
    'breakerThreshold',
    'recoverySamples',
  ] as const;

  for (const field of positiveFields) {
    it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])(`rejects ${field} = %s`, (value) => {
      const error = tuningErrorOf({ [field]: value });
      expect(error.field).toBe(field);
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.message).toContain(`${field}:`);
      expect(error.message).toContain(String(value));
    });
  }

  it('rejects a non-number where a number is expected', () => {
    expect(tuningErrorOf({ timeoutMs: '1000' as unknown as number }).field).toBe('timeoutMs');
  });

  it('rejects probeTimeoutMs equal to probeIntervalMs', () => {
    const error = tuningErrorOf({ probeIntervalMs: 1000, probeTimeoutMs: 1000 });
    expect(error.field).toBe('probeTimeoutMs');
    expect(error.message).toContain('below probeIntervalMs');
  });

  it('rejects probeTimeoutMs above probeIntervalMs', () => {
    expect(tuningErrorOf({ probeIntervalMs: 500, probeTimeoutMs: 800 }).field).toBe('probeTimeoutMs');
  });

  it.each([1.5, 2.0001])('rejects a fractional maxAttempts (%s)', (value) => {
    const error = tuningErrorOf({ maxAttempts: value });
    expect(error.field).toBe('maxAttempts');
    expect(error.message).toContain('whole number');
  });

  it('rejects fractional breakerThreshold and recoverySamples', () => {
    expect(tuningErrorOf({ breakerThreshold: 2.5 }).field).toBe('breakerThreshold');
    expect(tuningErrorOf({ recoverySamples: 0.5 }).field).toBe('recoverySamples');
  });

  it('accepts fractional millisecond values', () => {
    expect(resolveTuning({ latencyThresholdMs: 12.5 }).latencyThresholdMs).toBe(12.5);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects lagTolerance = %s', (value) => {
    const error = tuningErrorOf({ lagTolerance: value });
    expect(error.field).toBe('lagTolerance');
    expect(error.message).toContain(String(value));
  });

  it('rejects a hedge minimum above the maximum, naming hedge.maxDelayMs', () => {
    const error = tuningErrorOf({ hedge: { minDelayMs: 300, maxDelayMs: 100 } });
    expect(error.field).toBe('hedge.maxDelayMs');
  });

  it('accepts a hedge minimum equal to the maximum', () => {
    expect(resolveTuning({ hedge: { minDelayMs: 100, maxDelayMs: 100 } }).hedge).toEqual({
      minDelayMs: 100,
      maxDelayMs: 100,
    });
  });

  it.each([
    ['hedge.minDelayMs', { minDelayMs: 0 }],
    ['hedge.minDelayMs', { minDelayMs: Number.NaN }],
    ['hedge.maxDelayMs', { maxDelayMs: -1 }],
  ])('rejects a non-positive %s', (field, hedge) => {
    expect(tuningErrorOf({ hedge }).field).toBe(field);
  });
});
