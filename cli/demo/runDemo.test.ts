import { describe, expect, it } from 'vitest';
import { runDemo } from './runDemo.js';

describe('runDemo in plain mode', () => {
  it('hides every injected fault from the callers and reports it in plain lines', async () => {
    const chunks: string[] = [];
    const out = { write: (text: string) => chunks.push(text) };

    const summary = await runDemo({ durationMs: 6000, out });
    const output = chunks.join('');

    expect(summary.interrupted).toBe(false);
    expect(summary.requests).toBeGreaterThan(0);
    // Failover must hide the faults: a failure here is a finding, not a flake to retry.
    expect(summary.failures, output).toEqual([]);
    expect(summary.failed).toBe(0);
    expect(summary.routeChanges).toBeGreaterThanOrEqual(1);
    // No escape character at all: no cursor movement, no colour.
    expect(output).not.toContain('\x1b');
    expect(output).toContain('step 6/6: all faults cleared');
    expect(output).toMatch(/route node-a → node-[bc]/);
    expect(output).toContain(`requests       ${summary.requests} total, 0 failed`);
  }, 20_000);

  it('stops early on abort, still closes everything and reports the run as interrupted', async () => {
    const chunks: string[] = [];
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(), 1000);

    const started = performance.now();
    const summary = await runDemo({
      durationMs: 30_000,
      out: { write: (text: string) => chunks.push(text) },
      signal: interrupt.signal,
    });

    expect(performance.now() - started).toBeLessThan(5000);
    expect(summary.interrupted).toBe(true);
    expect(summary.failed).toBe(0);
    expect(chunks.join('')).toContain('summary (interrupted)');
  });
});
