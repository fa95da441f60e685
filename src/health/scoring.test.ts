import { describe, expect, it } from 'vitest';
import { ewma, quantile, SampleWindow } from './scoring.js';

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
