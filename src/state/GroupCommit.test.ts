import { expect, test } from 'vitest';
import type { SharedState } from '../interfaces.js';
import { GroupCommit } from './GroupCommit.js';
import { emptySharedState } from './MemoryStateStore.js';

const bump = (state: SharedState): SharedState => {
  const n = state.endpoints['x']?.latencyMs ?? 0;
  return { ...state, endpoints: { x: { ok: true, latencyMs: n + 1, checkedAt: 0 } } };
};

test('updates queued during a commit go together in the next one', async () => {
  let stored = emptySharedState();
  let commits = 0;
  const group = new GroupCommit(async (applyQueued) => {
    commits += 1;
    await new Promise((resolve) => setTimeout(resolve, 5));
    stored = applyQueued(stored);
  });
  const results = await Promise.all(Array.from({ length: 10 }, () => group.submit(bump)));
  expect(results.map((s) => s.endpoints['x']?.latencyMs)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect(stored.endpoints['x']?.latencyMs).toBe(10);
  expect(commits).toBe(2);
});

test('a retried commit settles each update with what the last round produced', async () => {
  let round = 0;
  const group = new GroupCommit(async (applyQueued) => {
    // Lost a race once: the second round starts from newer state.
    applyQueued(emptySharedState());
    round += 1;
    applyQueued(bump(bump(emptySharedState())));
  });
  const state = await group.submit(bump);
  expect(round).toBe(1);
  expect(state.endpoints['x']?.latencyMs).toBe(3);
});

test('a throwing function fails alone; a failed commit fails its whole batch', async () => {
  let fail = false;
  const group = new GroupCommit(async (applyQueued) => {
    applyQueued(emptySharedState());
    if (fail) throw new Error('disk full');
  });
  const [ok, bad] = await Promise.allSettled([
    group.submit(bump),
    group.submit(() => {
      throw new Error('bug');
    }),
  ]);
  expect(ok.status).toBe('fulfilled');
  expect(bad).toMatchObject({ status: 'rejected', reason: { message: 'bug' } });
  fail = true;
  await expect(group.submit(bump)).rejects.toThrow('disk full');
});
