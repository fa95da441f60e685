import { describe, expect, it } from 'vitest';
import {
  renderWatchSnapshot,
  renderWatchTable,
  type WatchBeaconRow,
  type WatchEndpointRow,
  type WatchView,
} from './watchTable.js';

const LONG = 'https://***@eu-west-1.mainnet.some-provider.example.com/v2/***?apikey=***&network=***';

function endpoint(overrides: Partial<WatchEndpointRow> = {}): WatchEndpointRow {
  return {
    label: 'http://127.0.0.1:8000',
    active: true,
    state: 'healthy',
    rttMs: 3.4,
    head: 52_123_456,
    lag: 0,
    probesPerMinute: 60,
    errors: 0,
    reason: undefined,
    ...overrides,
  };
}

function node(overrides: Partial<WatchBeaconRow> = {}): WatchBeaconRow {
  return {
    label: 'http://bn1:5052',
    state: 'open',
    connected: true,
    headSlot: 11_234_567,
    isLatest: true,
    lastEventAgeMs: 812,
    health: 'healthy',
    firsts: 12,
    best: true,
    reason: undefined,
    metrics: {
      disconnections: 2,
      reconnections: 2,
      restarts: 0,
      failedAttempts: 5,
      headsReceived: 40,
      duplicatesDropped: 0,
      malformedEvents: 0,
      headsRefused: 0,
    },
    ...overrides,
  };
}

function view(overrides: Partial<WatchView> = {}): WatchView {
  return {
    elapsedMs: 12_345,
    durationMs: undefined,
    intervalMs: 1000,
    metricsUrl: 'http://127.0.0.1:9464/metrics',
    groups: [
      {
        kind: 'soroban',
        active: 'http://127.0.0.1:8000',
        routeChanges: 1,
        endpoints: [
          endpoint(),
          endpoint({
            label: LONG,
            active: false,
            state: 'down',
            rttMs: undefined,
            head: undefined,
            lag: undefined,
            errors: 17,
            reason: 'connect ECONNREFUSED 10.0.0.1:443, and a long explanation of what that means for you',
          }),
        ],
      },
      {
        kind: 'beacon',
        latest: { slot: 11_234_567, from: 'http://bn1:5052' },
        nodes: [
          node(),
          node({
            label: LONG,
            state: 'waiting',
            connected: false,
            headSlot: undefined,
            isLatest: false,
            lastEventAgeMs: undefined,
            health: 'down',
            best: false,
            reason: 'http-status: 503 Service Unavailable',
          }),
        ],
      },
    ],
    ...overrides,
  };
}

describe('renderWatchTable', () => {
  it('keeps every line within the width, however long the labels, reasons and events', () => {
    const events = [`[ 12.3s] soroban: ${LONG} down: connect ECONNREFUSED 10.0.0.1:443`];
    for (const width of [60, 80, 120]) {
      const lines = renderWatchTable(view(), events, width);
      for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(width);
    }
  });

  it('shows per endpoint its state, latency, head, lag, probes and errors, and the reason under it', () => {
    const lines = renderWatchTable(view(), [], 160);
    expect(lines[0]).toMatch(/^switchyard watch: 2 Soroban RPC, 2 beacon endpoints +12\.3s$/);
    expect(lines[1]).toBe('probes every 1000 ms · metrics http://127.0.0.1:9464/metrics · Ctrl-C stops');
    expect(lines).toContain('Soroban RPC · ▶ first choice http://127.0.0.1:8000 · 1 route change');
    const header = lines.find((line) => line.includes('probes/min'))!;
    expect(header).toMatch(/^ {2}endpoint +state +ewma rtt +head +lag probes\/min errors$/);
    expect(lines).toContain(
      `▶ ${'http://127.0.0.1:8000'.padEnd(LONG.length)} healthy          3 ms   52123456    0         60      0`,
    );
    const down = lines.findIndex((line) => line.startsWith(`  ${LONG} down`));
    expect(lines[down]).toMatch(/ down +- +- +- +60 +17$/);
    expect(lines[down + 1]).toBe(
      '    ↳ connect ECONNREFUSED 10.0.0.1:443, and a long explanation of what that means for you',
    );
  });

  it('shows per beacon node its stream, connection, head slot, disconnections and reconnections', () => {
    const lines = renderWatchTable(view(), [], 160);
    expect(lines).toContain('beacon · latest slot 11234567 from http://bn1:5052 · ▶ best http://bn1:5052');
    expect(lines.find((line) => line.includes('disconnects'))).toMatch(
      /^ {2}node +stream +connected head slot disconnects reconnects last event health$/,
    );
    expect(lines.find((line) => line.startsWith('▶ http://bn1:5052'))).toMatch(
      /open +yes +11234567 +2 +2 +812 ms healthy$/,
    );
    const waiting = lines.findIndex((line) => line.startsWith(`  ${LONG} waiting`));
    expect(lines[waiting]).toMatch(/waiting +no +- +2 +2 +- down$/);
    expect(lines[waiting + 1]).toBe('    ↳ http-status: 503 Service Unavailable');
  });

  it('shows the run’s end with --duration, no metrics URL without a server, and no escape codes', () => {
    const lines = renderWatchTable(view({ durationMs: 60_000, metricsUrl: undefined }), ['an event'], 80);
    expect(lines[0]).toMatch(/ 12\.3s \/ 60\.0s$/);
    expect(lines[1]).toBe('probes every 1000 ms · Ctrl-C stops');
    expect(lines.join('\n')).not.toContain('\x1b');
    expect(lines.slice(-2)).toEqual(['recent events', '  an event']);
  });

  it('shows the status page URL beside the metrics URL when watch serves one', () => {
    const lines = renderWatchTable(view({ webUrl: 'http://127.0.0.1:8080/' }), [], 120);
    expect(lines[1]).toBe(
      'probes every 1000 ms · metrics http://127.0.0.1:9464/metrics · page http://127.0.0.1:8080/ · Ctrl-C stops',
    );
  });
});

describe('renderWatchSnapshot', () => {
  it('starts with a time-stamped count per kind and cuts nothing, however long the lines', () => {
    const snapshot = renderWatchSnapshot(view());
    const lines = snapshot.split('\n');
    expect(lines[0]).toBe('[ 12.3s] soroban 1/2 healthy · beacon 1/2 connected');
    expect(snapshot).not.toContain('…');
    expect(lines.filter((line) => line.startsWith(`  ${LONG} `))).toHaveLength(2);
    expect(snapshot).toContain(
      '    ↳ connect ECONNREFUSED 10.0.0.1:443, and a long explanation of what that means for you',
    );
    expect(snapshot).not.toContain('recent events');
    expect(snapshot.endsWith('\n')).toBe(false);
  });
});
