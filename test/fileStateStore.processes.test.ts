import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FailoverStatus, FileStateStore, silentLogger } from '../src/index.js';
import { SorobanCluster } from '../testing/index.js';
import { childProcesses } from './childProcesses.js';
import { waitFor } from './helpers.js';

let dir: string;
let path: string;
const { start, exited, message } = childProcesses();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-proc-'));
  path = join(dir, 'state.json');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('FileStateStore across processes', () => {
  it('loses no update: 8 processes x 500 concurrent increments make exactly 4000', async () => {
    const workers = Array.from({ length: 8 }, () => start('incrementWorker.mjs', ['file', path, '500']));
    expect(await Promise.all(workers.map(exited))).toEqual(Array(8).fill(0));
    const state = await new FileStateStore({ path }).read();
    expect(state.endpoints['counter']?.head).toBe(4000);
  }, 120_000);

  it('never leaves a torn file when a writer is killed at random points', async () => {
    for (let round = 0; round < 8; round++) {
      const writer = start('writeLoopWorker.mjs', [path]);
      await message(writer, 'writing');
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
      writer.kill('SIGKILL');
      await exited(writer);
      const state = JSON.parse(readFileSync(path, 'utf8'));
      const generations = new Set(Object.values(state.endpoints).map((r) => (r as { head: number }).head));
      expect(Object.keys(state.endpoints)).toHaveLength(200);
      expect(generations.size).toBe(1);
    }
    // A later store still works, whatever lock or temp file the killed writers left behind.
    const store = new FileStateStore({ path, staleLockMs: 2000, logger: silentLogger });
    await store.update((s) => ({ ...s, leases: { x: { owner: 'me', until: 1 } } }));
    expect((await store.read()).leases['x']?.owner).toBe('me');
  }, 60_000);

  it('takes over a lock left by a killed process within the stale timeout', async () => {
    const holder = start('lockHolder.mjs', [path]);
    await message(holder, 'locked');
    holder.kill('SIGKILL');
    await exited(holder);
    expect(existsSync(`${path}.lock`)).toBe(true);
    const store = new FileStateStore({ path, staleLockMs: 2000, logger: silentLogger });
    const started = performance.now();
    await store.update((s) => ({ ...s, leases: { x: { owner: 'after', until: 1 } } }));
    expect(performance.now() - started).toBeLessThan(2000 + 3000);
    expect((await store.read()).leases['x']?.owner).toBe('after');
  }, 30_000);
});

describe('workers sharing health through a FileStateStore', () => {
  it('probes each endpoint about once per interval in all, and every worker routes around a dead node', async () => {
    const intervalMs = 250;
    const cluster = await new SorobanCluster({ nodes: 3, ledgerIntervalMs: 200 }).start();
    try {
      const urls = cluster.nodes.map((n) => n.url);
      const workers = Array.from({ length: 4 }, () =>
        start('sharedProbeWorker.mjs', [path, String(intervalMs), ...urls]),
      );
      await Promise.all(workers.map((w) => message(w, 'ready')));
      const statusOf = (w: ChildProcess) =>
        new Promise<FailoverStatus>((resolve) => {
          w.once('message', (m) => resolve((m as { status: FailoverStatus }).status));
          w.send('status');
        });
      await waitFor(
        async () =>
          (await Promise.all(workers.map(statusOf))).every((s) =>
            s.endpoints.every((e) => e.state === 'healthy'),
          ),
        'every worker sees every node healthy',
      );

      const probes = () => cluster.nodes.map((n) => n.stats().byMethod['getHealth'] ?? 0);
      const before = probes();
      const windowStart = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const intervals = (performance.now() - windowStart) / intervalMs;
      const perInterval = probes().map((count, i) => (count - before[i]!) / intervals);
      // Without sharing each of the 4 workers would probe every node once per interval: 4.
      for (const rate of perInterval) {
        expect(rate).toBeGreaterThan(0.5);
        expect(rate).toBeLessThan(1.6);
      }

      await cluster.nodes[0]!.setFaults({ refuse: true });
      const killedAt = performance.now();
      const seenDown = await Promise.all(
        workers.map(async (w) => {
          await waitFor(
            async () => (await statusOf(w)).endpoints[0]!.state === 'down',
            'n0 down in a worker',
          );
          return performance.now() - killedAt;
        }),
      );
      for (const ms of seenDown) expect(ms).toBeLessThan(4 * intervalMs);
      for (const w of workers) w.send('stop');
      expect(await Promise.all(workers.map(exited))).toEqual([0, 0, 0, 0]);
    } finally {
      await cluster.close();
    }
  }, 60_000);
});
