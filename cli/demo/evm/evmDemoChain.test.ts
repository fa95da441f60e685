import { describe, expect, it } from 'vitest';
import { runDemo } from '../runDemo.js';

describe('runDemo on the EVM chain, in plain mode', () => {
  it('hides every injected fault from the viem client and reports it in plain lines', async () => {
    const chunks: string[] = [];
    const out = { write: (text: string) => chunks.push(text) };

    const summary = await runDemo({ chain: 'evm', durationMs: 6000, out });
    const output = chunks.join('');

    expect(summary.interrupted).toBe(false);
    expect(summary.requests).toBeGreaterThan(0);
    // Failover must hide the faults: a failure here is a finding, not a flake to retry.
    expect(summary.failures, output).toEqual([]);
    expect(summary.failed).toBe(0);
    expect(summary.routeChanges, output).toBeGreaterThanOrEqual(1);
    // No escape character at all: no cursor movement, no colour.
    expect(output).not.toContain('\x1b');
    expect(output).toContain('3 simulated EVM nodes on 127.0.0.1');
    expect(output).toContain('node-b falls 20 blocks behind');
    expect(output).toContain('step 7/7: all faults cleared');
    expect(output).toMatch(/route node-a → node-[bc]/);
    expect(output).toContain(`requests       ${summary.requests} total, 0 failed`);
    expect(output).toContain('(> 2 blocks behind)');
  }, 20_000);
});
