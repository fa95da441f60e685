import { describe, expect, it } from 'vitest';
import { type DemoView, renderDemoStatus, renderDemoTable } from './demoTable.js';

const LONG = 'eu-west-primary-soroban-rpc-with-a-very-long-label';

function view(overrides: Partial<DemoView> = {}): DemoView {
  return {
    nodeKind: 'Soroban RPC',
    elapsedMs: 12_345,
    durationMs: 30_000,
    step: `step 3/6: ${LONG} dead (refuses connections) and a very long description of it`,
    endpoints: [
      {
        label: LONG,
        active: false,
        state: 'rate-limited',
        rttMs: 123_456,
        head: 123_456_789_012,
        share: 0,
        errors: 1_234_567_890,
        note: 'rate limited for 1000 ms after HTTP 429 from the provider, and then some more text',
      },
      {
        label: `${LONG}-backup`,
        active: true,
        state: 'healthy',
        rttMs: 3.4,
        head: 1012,
        share: 1,
        errors: 0,
        note: undefined,
      },
    ],
    requests: 1_234_567,
    failed: 0,
    p99Ms: 12,
    routeChanges: 3,
    shareWindowMs: 2000,
    ...overrides,
  };
}

describe('renderDemoTable', () => {
  it('keeps every line within 80 columns, however long the labels, reasons and events', () => {
    const events = [`[ 12.3s] route ${LONG} → ${LONG}-backup (probe timed out after 320 ms; ${LONG})`];
    const lines = renderDemoTable(view(), events, 80);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(lines.join('\n')).toContain('…');
  });

  it('fits a terminal narrower than 80 columns', () => {
    for (const line of renderDemoTable(view(), ['an event'], 50))
      expect(line.length, line).toBeLessThanOrEqual(50);
  });

  it('marks the first choice and shows state, RTT, head, share and errors in columns', () => {
    const lines = renderDemoTable(view({ endpoints: [view().endpoints[1]!] }), [], 80);
    const row = lines.find((line) => line.startsWith('▶'));
    expect(row).toMatch(/^▶ eu-west-pri… healthy\s+3 ms\s+1012\s+100%\s+0$/);
    expect(lines).toContain('  (none yet)');
  });

  it('shows the status page under the title with --web, and no such line without it', () => {
    const lines = renderDemoTable(view({ webUrl: 'http://127.0.0.1:8080/' }), [], 80);
    expect(lines[1]).toBe('status page http://127.0.0.1:8080/ (live in a browser)');
    const without = renderDemoTable(view(), [], 80);
    expect(without.join('\n')).not.toContain('status page');
    // In place of the blank line under the step: the table keeps its height.
    expect(lines).toHaveLength(without.length);
  });

  it('has no escape codes: cursor movement is the display’s business', () => {
    expect(renderDemoTable(view(), ['event']).join('\n')).not.toContain('\x1b');
  });
});

describe('renderDemoStatus', () => {
  it('puts every endpoint and the totals on one line', () => {
    const line = renderDemoStatus(view());
    expect(line).toMatch(/^\[ 12\.3s\] /);
    expect(line).toContain('▶eu-west-primary-soroban-rpc-with-a-very-long-label-backup healthy 3 ms 100%');
    expect(line).toMatch(/1234567 calls, 0 failed$/);
    expect(line.split('\n')).toHaveLength(1);
  });
});
