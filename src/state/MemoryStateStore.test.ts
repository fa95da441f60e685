import { describe, expect, it } from 'vitest';
import { ClosedError } from '../errors.js';
import type { SharedState } from '../interfaces.js';
import { emptySharedState, MemoryStateStore } from './MemoryStateStore.js';

function increment(state: SharedState): SharedState {
  const previous = state.endpoints['x']?.latencyMs ?? 0;
  state.endpoints['x'] = { ok: true, latencyMs: previous + 1, checkedAt: 0 };
  return state;
}

describe('MemoryStateStore', () => {
  it('starts empty', async () => {
    const store = new MemoryStateStore();
    expect(await store.read()).toEqual({ version: 1, endpoints: {}, leases: {} });
    expect(emptySharedState()).toEqual({ version: 1, endpoints: {}, leases: {} });
  });

  it('stores what update returns and returns it', async () => {
    const store = new MemoryStateStore();
    const returned = await store.update((state) => ({
      ...state,
      leases: { e1: { owner: 'worker-1', until: 5000 } },
    }));
    expect(returned.leases).toEqual({ e1: { owner: 'worker-1', until: 5000 } });
    expect(await store.read()).toEqual(returned);
  });

  it('passes the current state to update', async () => {
    const store = new MemoryStateStore();
    await store.update(increment);
    let seen: SharedState | undefined;
    await store.update((state) => {
      seen = state;
      return state;
    });
    expect(seen?.endpoints['x']?.latencyMs).toBe(1);
  });

  it('loses no update when 100 start together', async () => {
    const store = new MemoryStateStore();
    await Promise.all(Array.from({ length: 100 }, () => store.update(increment)));
    expect((await store.read()).endpoints['x']?.latencyMs).toBe(100);
  });

  it('returns copies from read: mutating one does not change the store', async () => {
    const store = new MemoryStateStore();
    await store.update(increment);
    const copy = await store.read();
    copy.endpoints['x']!.latencyMs = 999;
    copy.leases['y'] = { owner: 'intruder', until: 1 };
    const again = await store.read();
    expect(again.endpoints['x']?.latencyMs).toBe(1);
    expect(again.leases).toEqual({});
  });

  it('returns a copy from update: mutating it does not change the store', async () => {
    const store = new MemoryStateStore();
    const returned = await store.update(increment);
    returned.endpoints['x']!.latencyMs = 999;
    expect((await store.read()).endpoints['x']?.latencyMs).toBe(1);
  });

  it('keeps no reference to the object update’s function returned', async () => {
    const store = new MemoryStateStore();
    let kept: SharedState | undefined;
    await store.update((state) => {
      kept = increment(state);
      return kept;
    });
    kept!.endpoints['x']!.latencyMs = 999;
    expect((await store.read()).endpoints['x']?.latencyMs).toBe(1);
  });

  it('leaves the state unchanged when the update function throws', async () => {
    const store = new MemoryStateStore();
    await store.update(increment);
    await expect(
      store.update((state) => {
        increment(state);
        throw new Error('bad update');
      }),
    ).rejects.toThrow('bad update');
    expect((await store.read()).endpoints['x']?.latencyMs).toBe(1);
  });

  it('rejects read and update with ClosedError after close', async () => {
    const store = new MemoryStateStore();
    await store.close();
    await expect(store.read()).rejects.toBeInstanceOf(ClosedError);
    await expect(store.update(increment)).rejects.toBeInstanceOf(ClosedError);
    await expect(store.read()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('does not run the update function after close', async () => {
    const store = new MemoryStateStore();
    await store.close();
    let ran = false;
    await store
      .update((state) => {
        ran = true;
        return state;
      })
      .catch(() => {});
    expect(ran).toBe(false);
  });

  it('can be closed twice', async () => {
    const store = new MemoryStateStore();
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
  });

  it('keeps separate state per instance', async () => {
    const a = new MemoryStateStore();
    const b = new MemoryStateStore();
    await a.update(increment);
    expect((await b.read()).endpoints).toEqual({});
  });
});
