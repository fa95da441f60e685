import { expect, test } from 'vitest';
import { SeenHeads } from './SeenHeads.js';

test('remembers (slot, block) pairs for a window of slots behind the newest', () => {
  const seen = new SeenHeads(3);
  seen.add({ slot: 1, block: 'a' });
  seen.add({ slot: 1, block: 'b' });
  expect(seen.has({ slot: 1, block: 'b' })).toBe(true);
  expect(seen.has({ slot: 1, block: 'c' })).toBe(false);
  for (let slot = 2; slot <= 100; slot += 1) seen.add({ slot, block: 'x' });
  expect(seen.size).toBeLessThanOrEqual(4);
  expect(seen.has({ slot: 1, block: 'a' })).toBe(false);
  expect(seen.has({ slot: 100, block: 'x' })).toBe(true);
});
