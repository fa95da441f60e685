import { createBeaconHeadMonitor } from 'switchyard-rpc/beacon';
import { BeaconCluster } from 'switchyard-rpc/testing/beacon';
import { afterEach, describe, expect, test } from 'vitest';
import { waitFor } from './helpers.js';
import { recordingLogger } from './recordingLogger.js';

// A long slot, so that "at the next slot boundary" and "well within a slot" are far apart.
const SLOT_MS = 2000;
// The longest wait between two attempts on a node that stays down (a slot caps it only below this).
const MAX_RETRY_DELAY_MS = 1000;

const running: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((close) => close()));
});

async function setup() {
  const cluster = await new BeaconCluster({ nodes: 2, slotMs: SLOT_MS, keepAliveMs: 50 }).start();
  const monitor = createBeaconHeadMonitor({
    candidates: cluster.nodes.map((node, i) => ({ url: node.url, label: `bn-${i + 1}` })),
    genesisTime: cluster.genesisTime,
    secondsPerSlot: SLOT_MS / 1000,
    logger: recordingLogger(),
  });
  running.push(async () => {
    await monitor.close();
    await cluster.close();
  });
  const bn1 = () => monitor.status().streams.find((s) => s.label === 'bn-1')!;
  await waitFor(() => monitor.status().streams.every((s) => s.connected), 'every stream open');
  return { cluster, monitor, bn1 };
}

describe('head stream reconnection', () => {
  test('a node that stays down is retried with a growing delay, never more than once a second', async () => {
    const { cluster, bn1 } = await setup();
    await cluster.nodes[0]!.setFaults({ refuse: true });
    await waitFor(() => bn1().state === 'waiting', 'bn-1 lost');
    const lostAt = performance.now();
    await waitFor(() => performance.now() - lostAt >= 2 * SLOT_MS, 'two slots', 3 * SLOT_MS);
    const { failedAttempts } = bn1().metrics;
    // At once, then after 250, 500 and 1000 ms, then once a second: 0, 0.25, 0.75, 1.75, 2.75, 3.75 s.
    expect(failedAttempts).toBeGreaterThanOrEqual(4);
    expect(failedAttempts).toBeLessThanOrEqual(4 + (2 * SLOT_MS) / MAX_RETRY_DELAY_MS);
  });

  test('a node that comes back streams again well within a slot, not at the next slot boundary', async () => {
    const { cluster, bn1 } = await setup();
    await cluster.nodes[0]!.setFaults({ refuse: true });
    await waitFor(() => bn1().metrics.failedAttempts >= 4, 'bn-1 backing off', 3 * SLOT_MS);
    // Just after a boundary: waiting for the next one would take almost a whole slot.
    await cluster.waitForSlot(cluster.slot + 1);
    await cluster.nodes[0]!.clearFaults();
    const backAt = performance.now();
    await waitFor(() => bn1().connected, 'bn-1 streaming again', 2 * SLOT_MS);
    const reconnectMs = performance.now() - backAt;
    expect(reconnectMs).toBeLessThan(MAX_RETRY_DELAY_MS + 300);
    expect(bn1().metrics.reconnections).toBe(1);
  });
});
