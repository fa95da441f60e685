import { describe, expect, it } from 'vitest';
import type { WorkerStatus } from './workerProtocol.js';
import { perInterval, renderWorkersStatus, renderWorkersTable, type WorkersView } from './workersTable.js';

const LABELS = ['node-a', 'node-b', 'node-c'];

function status(overrides: Partial<WorkerStatus> = {}): WorkerStatus {
  return {
    endpoints: LABELS.map((label, i) => ({
      label,
      state: i === 0 ? 'rate-limited' : 'healthy',
      active: i === 1,
      probesPerMinute: i === 2 ? 1234 : 37,
      served: 100,
    })),
    requests: 12_345_678,
    failed: 2,
    p50Ms: 4,
    p99Ms: 61,
    routeChanges: 3,
    ...overrides,
  };
}

function view(overrides: Partial<WorkersView> = {}): WorkersView {
  return {
    elapsedMs: 12_345,
    durationMs: 30_000,
    step: 'step 3/6: node-a dead (refuses connections), and a long description of what that means',
    endpoints: LABELS,
    workers: [
      { name: 'w1', status: status(), crashed: undefined },
      {
        name: 'w2',
        status: status({ p99Ms: 250 }),
        crashed: 'crashed (exit code 1): Error: a very long message '.repeat(3),
      },
      { name: 'w16', status: undefined, crashed: undefined },
    ],
    probesPerSecond: [0, 2.5, undefined],
    probeWindowMs: 2000,
    probeIntervalMs: 400,
    ...overrides,
  };
}

describe('renderWorkersTable', () => {
  it('keeps every line within 80 columns, crashed workers and long events included', () => {
    const lines = renderWorkersTable(view(), [`[ 1.0s] w1: ${'route node-a → node-b '.repeat(5)}`], 80);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(lines.join('\n')).not.toContain('\x1b');
  });

  it('shows per worker its counts and, per endpoint, the state it sees and the probes it sent', () => {
    const lines = renderWorkersTable(view(), [], 80);
    expect(lines).toContainEqual(
      expect.stringMatching(/^worker requests failed {2}node-a {13}node-b {13}node-c$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^w1 +12345678 +2 {2}rate-limited +37 ▶healthy +37 {2}healthy +1234$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^w2 .* crashed \(exit code 1\): Error/));
    expect(lines).toContainEqual(expect.stringMatching(/^w16 +- +- {2}starting$/));
    // The nodes' side: per second, and per interval (2.5/s at 400 ms is one probe per interval).
    expect(lines).toContainEqual(expect.stringMatching(/^probes\/s at the node +0\.0 +2\.5 +-$/));
    expect(lines).toContainEqual(expect.stringMatching(/^per 400 ms interval +0\.00 +1\.00 +-$/));
    expect(lines).toContain('requests 24691356   failed 4   worst p99 250 ms   route changes 6');
  });
});

describe('renderWorkersStatus', () => {
  it('writes a line per worker and one for the probes at the nodes', () => {
    const lines = renderWorkersStatus(view()).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(
      '[ 12.3s] w1 12345678 calls, 2 failed | node-a rate-limited 37/min | ▶node-b healthy 37/min | node-c healthy 1234/min',
    );
    expect(lines[1]).toMatch(/^\[ 12\.3s\] w2 12345678 calls, 2 failed \| crashed \(exit code 1\)/);
    expect(lines[2]).toBe('[ 12.3s] w16 0 calls, 0 failed | starting');
    expect(lines[3]).toBe(
      '[ 12.3s] probes per 400 ms interval at the nodes: node-a 0.00, node-b 1.00, node-c - (3 workers)',
    );
  });
});

describe('perInterval', () => {
  it('turns probes per second into probes per probe interval', () => {
    expect(perInterval(2.5, 400)).toBe(1);
    expect(perInterval(undefined, 400)).toBeUndefined();
  });
});
