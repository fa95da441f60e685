import { describe, expect, it } from 'vitest';
import { type BeaconDemoSummary, renderBeaconSummary } from './beaconSummary.js';

const METRICS = {
  disconnections: 4,
  reconnections: 4,
  restarts: 1,
  failedAttempts: 5,
  headsReceived: 41,
  duplicatesDropped: 3,
  malformedEvents: 0,
  headsRefused: 0,
};

function summary(overrides: Partial<BeaconDemoSummary> = {}): BeaconDemoSummary {
  return {
    durationMs: 15_012,
    interrupted: false,
    slotMs: 500,
    slots: { first: 66, last: 95, produced: 30, announced: 30, missed: [] },
    nodes: [
      { label: 'node-a', firsts: 25, ...METRICS },
      { label: 'node-b', firsts: 5, ...METRICS, reconnections: 3 },
    ],
    recoveries: [
      { label: 'node-a', fault: 'refused connections', slots: 0.94 },
      { label: 'node-b', fault: 'unavailable (503)', slots: undefined },
    ],
    monitorErrors: 0,
    ...overrides,
  };
}

describe('renderBeaconSummary', () => {
  it('sets the slots announced against those produced, then each node and each recovery', () => {
    expect(renderBeaconSummary(summary())).toEqual([
      'summary: 15.0s of beacon head streams, slots of 500 ms',
      '  slots          30 produced (66-95), 30 announced, 0 missed',
      '  streams        node-a  first 25, reconnections 4, disconnections 4, failed attempts 5',
      '                 node-b  first 5, reconnections 3, disconnections 4, failed attempts 5',
      '  recoveries     from the end of each fault until the stream was open and receiving again',
      '                 node-a  refused connections  0.9 slots',
      '                 node-b  unavailable (503)    not back by the end',
      "  monitor errors 0 ('error' events: every stream down for several slots)",
    ]);
  });

  it('names the slots missed, and says when the run was cut short', () => {
    const lines = renderBeaconSummary(
      summary({
        interrupted: true,
        slots: { first: 66, last: 70, produced: 5, announced: 3, missed: [68, 69] },
      }),
    );
    expect(lines[0]).toBe('summary (interrupted): 15.0s of beacon head streams, slots of 500 ms');
    expect(lines[1]).toBe('  slots          5 produced (66-70), 3 announced, 2 missed: 68, 69');
  });
});
