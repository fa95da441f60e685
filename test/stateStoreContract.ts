import { describe, expect, it, onTestFinished, type TestContext } from 'vitest';
import { ClosedError } from '../src/errors.js';
import type { SharedState, StateStore } from '../src/interfaces.js';

/** What a store under test is made of: the store, optionally a way to open it again, and its teardown. */
export interface StateStoreFixture {
  store: StateStore;
  /** A new instance on the same backing (file, Redis key…). Omit for stores without persistence. */
  reopen?: () => Promise<StateStore>;
  /** Removes the backing. Called after every store of the test has been closed. */
  cleanup: () => Promise<void>;
}

/** Adds one to a counter kept in the latency of endpoint `x`: lost updates show as a short count. */
function increment(state: SharedState): SharedState {
  const previous = state.endpoints['x']?.latencyMs ?? 0;
  state.endpoints['x'] = { ok: true, latencyMs: previous + 1, checkedAt: 0 };
  return state;
}

const counter = (state: SharedState): number | undefined => state.endpoints['x']?.latencyMs;

/** Far longer than a healthy store needs for one test; short enough that a hang fails clearly. */
const TEST_LIMIT_MS = 5000;

/** `promise`, or a rejection naming `what` if it has not settled within `ms`. */
function within<T>(promise: Promise<T>, what: string, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not settle within ${ms} ms: a store operation never settled?`)),
      ms,
    );
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/**
 * A test whose body must settle within {@link TEST_LIMIT_MS}: a store operation that never settles fails
 * its test with a clear message. The body uses the store directly, so the timing of its awaits is a
 * real caller's.
 */
function test(title: string, body: (ctx: TestContext) => Promise<void>): void {
  it(title, (ctx) => within(body(ctx), 'the test', TEST_LIMIT_MS), TEST_LIMIT_MS + 5000);
}

/**
 * The behaviours every {@link StateStore} must have. A new store runs them with
 * `describeStateStoreContract('RedisStateStore', async () => ({ store, reopen, cleanup }))`.
 */
export function describeStateStoreContract(name: string, create: () => Promise<StateStoreFixture>): void {
  describe(`${name} (StateStore contract)`, () => {
    /** Creates the store and registers its teardown at once: close every instance, then clean up. */
    async function setup(): Promise<StateStoreFixture> {
      const fixture = await create();
      const opened: StateStore[] = [fixture.store];
      onTestFinished(async () => {
        try {
          // Bounded: a store left with an operation that never settles must not hang the run.
          await within(Promise.all(opened.map((store) => store.close())), 'close()', 3000);
        } finally {
          await fixture.cleanup();
        }
      });
      const { reopen } = fixture;
      if (!reopen) return fixture;
      return {
        ...fixture,
        reopen: async () => {
          const again = await reopen();
          opened.push(again);
          return again;
        },
      };
    }

    test('starts empty', async () => {
      const { store } = await setup();
      expect(await store.read()).toEqual({ version: 1, endpoints: {}, leases: {} });
    });

    test('stores what the update function returns, and update returns it', async () => {
      const { store } = await setup();
      const returned = await store.update((state) => ({
        ...state,
        endpoints: { e1: { ok: false, latencyMs: 12, detail: 'HTTP 503', checkedAt: 1000 } },
        leases: { e1: { owner: 'worker-1', until: 5000 } },
      }));
      const expected: SharedState = {
        version: 1,
        endpoints: { e1: { ok: false, latencyMs: 12, detail: 'HTTP 503', checkedAt: 1000 } },
        leases: { e1: { owner: 'worker-1', until: 5000 } },
      };
      expect(returned).toEqual(expected);
      expect(await store.read()).toEqual(expected);
    });

    test('passes the current state to the update function', async () => {
      const { store } = await setup();
      await store.update(increment);
      await store.update((state) => ({ ...state, leases: { e1: { owner: 'w', until: 7 } } }));
      let seen: SharedState | undefined;
      await store.update((state) => {
        seen = structuredClone(state);
        return state;
      });
      expect(seen).toEqual({
        version: 1,
        endpoints: { x: { ok: true, latencyMs: 1, checkedAt: 0 } },
        leases: { e1: { owner: 'w', until: 7 } },
      });
    });

    test('settles an update started as soon as the previous one resolved', async () => {
      const { store } = await setup();
      for (let i = 1; i <= 5; i++) {
        // No other await in between: the next update starts in the same turn the last one resolved in.
        const state = await store.update(increment);
        expect(counter(state)).toBe(i);
      }
      expect(counter(await store.read())).toBe(5);
    });

    test('loses no update when 100 start together', async () => {
      const { store } = await setup();
      const results = await Promise.all(Array.from({ length: 100 }, () => store.update(increment)));
      expect(counter(await store.read())).toBe(100);
      // Each update saw the one before it: every count from 1 to 100 was returned once.
      expect(results.map(counter).sort((a, b) => a! - b!)).toEqual(
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
    });

    test('returns a copy from read: mutating it changes nothing stored', async () => {
      const { store } = await setup();
      await store.update(increment);
      const copy = await store.read();
      copy.endpoints['x']!.latencyMs = 999;
      copy.leases['y'] = { owner: 'intruder', until: 1 };
      const again = await store.read();
      expect(counter(again)).toBe(1);
      expect(again.leases).toEqual({});
    });

    test('returns a copy from update: mutating it changes nothing stored', async () => {
      const { store } = await setup();
      const returned = await store.update(increment);
      returned.endpoints['x']!.latencyMs = 999;
      returned.leases['y'] = { owner: 'intruder', until: 1 };
      expect(await store.read()).toEqual({
        version: 1,
        endpoints: { x: { ok: true, latencyMs: 1, checkedAt: 0 } },
        leases: {},
      });
    });

    test('keeps no reference to the object the update function returned', async () => {
      const { store } = await setup();
      let kept: SharedState | undefined;
      await store.update((state) => {
        kept = increment(state);
        return kept;
      });
      kept!.endpoints['x']!.latencyMs = 999;
      expect(counter(await store.read())).toBe(1);
    });

    test('rejects an update whose function throws, leaves the state unchanged, and keeps working', async () => {
      const { store } = await setup();
      await store.update(increment);
      const failure = new Error('bad update');
      await expect(
        store.update((state) => {
          increment(state); // a half-done change must not leak into the store
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(counter(await store.read())).toBe(1);
      await expect(store.update(increment)).resolves.toMatchObject({ endpoints: { x: { latencyMs: 2 } } });
      expect(counter(await store.read())).toBe(2);
    });

    test('keeps the state when the update function returns it unchanged', async () => {
      const { store } = await setup();
      await store.update(increment);
      const before = await store.read();
      const returned = await store.update((state) => state);
      expect(returned).toEqual(before);
      expect(await store.read()).toEqual(before);
    });

    test('rejects read and update with ClosedError after close, without running the function', async () => {
      const { store } = await setup();
      await store.close();
      let ran = false;
      await expect(store.read()).rejects.toBeInstanceOf(ClosedError);
      await expect(
        store.update((state) => {
          ran = true;
          return state;
        }),
      ).rejects.toBeInstanceOf(ClosedError);
      await expect(store.read()).rejects.toMatchObject({ code: 'CLOSED' });
      expect(ran).toBe(false);
    });

    test('can be closed twice', async () => {
      const { store } = await setup();
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
      await expect(store.read()).rejects.toBeInstanceOf(ClosedError);
    });

    test('lets an update started before close finish', async () => {
      const { store } = await setup();
      const update = store.update(increment);
      await store.close();
      await expect(update).resolves.toMatchObject({ endpoints: { x: { latencyMs: 1 } } });
    });

    test('keeps the state for a new instance on the same backing', async (ctx) => {
      const { store, reopen } = await setup();
      if (!reopen) return ctx.skip('the store has no persistent backing');
      await store.update(increment);
      await store.update((state) => ({ ...state, leases: { e1: { owner: 'w', until: 7 } } }));
      const expected = await store.read();
      await store.close();
      const again = await reopen();
      expect(await again.read()).toEqual(expected);
      await again.update(increment);
      expect(counter(await again.read())).toBe(2);
    });

    test('shows one instance’s updates to another open on the same backing, and loses none', async (ctx) => {
      const { store, reopen } = await setup();
      if (!reopen) return ctx.skip('the store has no persistent backing');
      const other = await reopen();
      await store.update(increment);
      expect(counter(await other.read())).toBe(1);
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? store : other).update(increment)),
      );
      expect(counter(await store.read())).toBe(41);
      expect(counter(await other.read())).toBe(41);
    });
  });
}
