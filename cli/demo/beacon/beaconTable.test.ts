import { describe, expect, it } from 'vitest';
import type { BeaconNodeRow } from '../../terminal/beaconColumns.js';
import { type BeaconView, renderBeaconStatus, renderBeaconTable } from './beaconTable.js';

const LONG = 'eu-west-primary-beacon-node-with-a-very-long-label';

function row(overrides: Partial<BeaconNodeRow> = {}): BeaconNodeRow {
  return {
    label: 'node-a',
    state: 'open',
    connected: true,
    headSlot: 1234,
    isLatest: true,
    lastEventAgeMs: 12.4,
    health: 'healthy',
    firsts: 20,
    metrics: {
      disconnections: 3,
      reconnections: 3,
      restarts: 1,
      failedAttempts: 7,
      headsReceived: 41,
      duplicatesDropped: 21,
      malformedEvents: 1,
      headsRefused: 0,
    },
    ...overrides,
  };
}

function view(overrides: Partial<BeaconView> = {}): BeaconView {
  return {
    elapsedMs: 12_345,
    durationMs: 20_000,
    step: `step 6/10: ${LONG} dead (refuses connections) and a very long description of it`,
    nodes: [
      row({ label: LONG, health: 'rate-limited', metrics: { ...row().metrics, headsReceived: 123_456_789 } }),
      row({
        label: 'node-b',
        state: 'waiting',
        connected: false,
        headSlot: undefined,
        isLatest: false,
        lastEventAgeMs: undefined,
      }),
      row({ label: 'node-c', state: 'connecting', connected: false, health: undefined, firsts: 0 }),
    ],
    latest: { slot: 1234, from: LONG },
    clusterSlot: 1235,
    best: 'node-c',
    ...overrides,
  };
}

const EVENTS = Array.from(
  { length: 8 },
  (_, i) => `[ 1${i}.0s] ${LONG} stream lost (network: ${LONG}); reconnecting`,
);

describe('renderBeaconTable', () => {
  it('fits any terminal from 50 columns and 24 rows, however long the labels, steps and events', () => {
    for (const width of [80, 64, 50]) {
      const lines = renderBeaconTable(view(), EVENTS, width);
      expect(lines.filter((line) => line.length > width)).toEqual([]);
      expect(lines.some((line) => line.endsWith('…'))).toBe(true);
      // The redraw moves the cursor up over the whole table: it must not scroll off a 24-row screen.
      expect(lines.length).toBeLessThan(24);
    }
  });

  it('shows the status page under the title with --web, still within 24 rows', () => {
    const lines = renderBeaconTable(view({ webUrl: 'http://127.0.0.1:8080/' }), EVENTS, 80);
    expect(lines[1]).toBe('status page http://127.0.0.1:8080/ (live in a browser)');
    expect(lines.length).toBeLessThan(24);
    expect(lines[2]).toMatch(/^now: step 6\/10: /);
    expect(renderBeaconTable(view(), EVENTS, 80).join('\n')).not.toContain('status page');
  });

  it('shows per node its stream, then its counters, in columns under whole-word headers', () => {
    const lines = renderBeaconTable(view({ nodes: [row()] }), [], 80);
    expect(lines).toContain('node      stream      connected  head slot  latest  last event  health');
    expect(lines).toContain('node-a    open        yes             1234  yes          12 ms  healthy');
    expect(lines).toContain(
      'node      heads  first  duplicates  disconnects  reconnects  restarts  malformed',
    );
    expect(lines).toContain(
      'node-a       41     20          21            3           3         1          1',
    );
    expect(lines).toContain('  (none yet)');
  });

  it('shows a node without a stream with dashes, and the latest slot against the network', () => {
    const lines = renderBeaconTable(view(), [], 80);
    expect(lines).toContain('node-b    waiting     no                 -  no               -  healthy');
    expect(lines.find((line) => line.startsWith('node-c    connecting'))).toMatch(/ -$/);
    expect(lines).toContain(
      `${`latest slot 1234 (from ${LONG}), cluster slot 1235 · best node-c · Ctrl-C stops`.slice(0, 79)}…`,
    );
    expect(renderBeaconTable(view({ latest: undefined, best: undefined }), [], 80).join('\n')).toContain(
      'no head yet, cluster slot 1235 · best none',
    );
  });

  it('has no escape codes: cursor movement is the display’s business', () => {
    expect(renderBeaconTable(view(), EVENTS).join('\n')).not.toContain('\x1b');
  });
});

describe('renderBeaconStatus', () => {
  it('puts the slots, the best node and every node on one line', () => {
    const line = renderBeaconStatus(view());
    expect(line).toMatch(
      /^\[ 12\.3s\] latest slot 1234 \(from eu-west-.*\), cluster slot 1235, best node-c \| /,
    );
    expect(line).toContain(`| ${LONG} open 1234 latest, first 20, reconnects 3 |`);
    expect(line).toContain('| node-b waiting, first 20, reconnects 3 |');
    expect(line).toMatch(/node-c connecting 1234 latest, first 0, reconnects 3$/);
    expect(line.split('\n')).toHaveLength(1);
  });
});
