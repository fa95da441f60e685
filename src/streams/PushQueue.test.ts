import { describe, expect, test } from 'vitest';
import { PushQueue } from './PushQueue.js';

async function drain<T>(queue: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of queue) items.push(item);
  return items;
}

describe('PushQueue', () => {
  test('delivers pushed items in order, to a waiting consumer too, then ends', async () => {
    const queue = new PushQueue<number>(4);
    const iterator = queue[Symbol.asyncIterator]();
    const waiting = iterator.next();
    queue.push(1);
    expect(await waiting).toEqual({ value: 1, done: false });
    queue.push(2);
    queue.push(3);
    queue.end();
    expect(await drain({ [Symbol.asyncIterator]: () => iterator })).toEqual([2, 3]);
  });

  test('a full queue drops the oldest item and counts it', async () => {
    const queue = new PushQueue<number>(2);
    expect([queue.push(1), queue.push(2), queue.push(3)]).toEqual([true, true, false]);
    queue.end();
    expect(await drain(queue)).toEqual([2, 3]);
    expect(queue.dropped).toBe(1);
  });

  test('end(error) throws after the queued items; pushes after end are ignored', async () => {
    const queue = new PushQueue<string>(4);
    queue.push('a');
    queue.end(new Error('gone'));
    queue.push('b');
    const iterator = queue[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ value: 'a', done: false });
    await expect(iterator.next()).rejects.toThrow('gone');
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  test('end(error) rejects a consumer already waiting', async () => {
    const queue = new PushQueue<number>(1);
    const waiting = queue[Symbol.asyncIterator]().next();
    queue.end(new Error('broken'));
    await expect(waiting).rejects.toThrow('broken');
  });

  test('return() ends the iteration and discards what is queued', async () => {
    const queue = new PushQueue<number>(3);
    queue.push(1);
    const iterator = queue[Symbol.asyncIterator]();
    await iterator.return?.();
    expect(queue.ended).toBe(true);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  test('rejects a capacity below one', () => {
    expect(() => new PushQueue(0)).toThrow(RangeError);
  });
});
