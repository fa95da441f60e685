import { describe, expect, it } from 'vitest';
import { TaskSet } from './TaskSet.js';

describe('TaskSet', () => {
  it('waits for every tracked promise, including one tracked while it waits, and forgets settled ones', async () => {
    const tasks = new TaskSet();
    let release!: () => void;
    let lateDone = false;
    tasks.track(
      new Promise<void>((resolve) => {
        release = resolve;
      }).then(() => {
        tasks.track(Promise.resolve().then(() => (lateDone = true)));
      }),
    );
    tasks.track(Promise.reject(new Error('ignored by settled()'))).catch(() => {});
    const settled = tasks.settled();
    expect(tasks.size).toBe(2);
    release();
    await settled;
    expect(lateDone).toBe(true);
    expect(tasks.size).toBe(0);
  });
});
