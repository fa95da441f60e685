import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runBeaconDemo } from './runBeaconDemo.js';

/** Sockets, servers and ref'd timers: what would keep the process running after the demo. */
function running(): string[] {
  return process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP') || r === 'Timeout');
}

/**
 * What is running now and was not `before`, once closed handles have had a moment to leave the
 * list (a closed server stays in it for a turn or two of the event loop).
 */
async function leftSince(before: readonly string[]): Promise<string[]> {
  const deadline = performance.now() + 5000;
  for (;;) {
    const left = running();
    for (const resource of before) {
      const i = left.indexOf(resource);
      if (i >= 0) left.splice(i, 1);
    }
    if (left.length === 0 || performance.now() > deadline) return left;
    await sleep(20);
  }
}

function capture(live: boolean) {
  const chunks: string[] = [];
  return { chunks, out: { write: (text: string) => chunks.push(text), isTTY: live, columns: 80 } };
}

describe('runBeaconDemo', () => {
  it('announces every slot while faults hit the streams, and shows each node in the live table', async () => {
    const { chunks, out } = capture(true);
    const before = running();

    const summary = await runBeaconDemo({ durationMs: 5000, slotMs: 150, out, live: true });
    const output = chunks.join('');

    expect(summary.interrupted).toBe(false);
    // Slots follow the wall clock: about 33 in 5 s, however loaded the machine.
    expect(summary.slots.produced).toBeGreaterThan(10);
    // A missed slot is a finding, not a flake: one node streamed at every moment.
    expect(summary.slots.missed, output).toEqual([]);
    expect(summary.slots.announced).toBe(summary.slots.produced);
    expect(summary.monitorErrors).toBe(0);
    const nodeA = summary.nodes.find((n) => n.label === 'node-a');
    // Dropped three times and refused once.
    expect(nodeA?.reconnections, output).toBeGreaterThanOrEqual(1);
    expect(summary.nodes.reduce((sum, n) => sum + n.firsts, 0)).toBeGreaterThanOrEqual(
      summary.slots.announced,
    );
    expect(summary.recoveries.map((r) => `${r.label} ${r.fault}`)).toContain('node-a refused connections');
    for (const recovery of summary.recoveries)
      expect(recovery.slots, recovery.fault).toBeGreaterThanOrEqual(0);

    for (const label of ['node-a', 'node-b', 'node-c'])
      expect(output).toMatch(new RegExp(`\\n${label} +(open|connecting|waiting) `));
    expect(output).toContain('head slot');
    expect(output).toContain('reconnects');
    expect(output).toContain(`${summary.slots.produced} produced`);
    expect(output).toContain('0 missed');
    expect(await leftSince(before)).toEqual([]);
  }, 40_000);

  it('stops early on abort in plain mode, reports the run as interrupted and closes everything', async () => {
    const { chunks, out } = capture(false);
    const before = running();
    const interrupt = new AbortController();
    // Ctrl-C once the second fault step is under way, however long the start took.
    const write = (text: string) => {
      out.write(text);
      if (text.includes('step 2/10')) interrupt.abort();
    };

    const summary = await runBeaconDemo({
      durationMs: 20_000,
      slotMs: 150,
      out: { write },
      signal: interrupt.signal,
    });
    const output = chunks.join('');

    expect(summary.interrupted).toBe(true);
    expect(summary.durationMs).toBeLessThan(20_000);
    expect(summary.slots.missed, output).toEqual([]);
    // No escape character at all: no cursor movement, no colour.
    expect(output).not.toContain('\x1b');
    expect(output).toContain('step 1/10: all healthy');
    expect(output).not.toContain('step 3/10');
    expect(output).toContain('summary (interrupted)');
    expect(await leftSince(before)).toEqual([]);
  }, 40_000);
});
