import { describe, expect, it } from 'vitest';
import type { Endpoint } from './endpoint.js';
import { applyEndpointList, diffEndpointList, sameOptions } from './endpointListChange.js';

function endpoint(id: string, options: Partial<Endpoint> = {}): Endpoint {
  return { id, url: `https://${id}.example/`, label: id, headers: {}, priority: 0, weight: 1, ...options };
}

describe('diffEndpointList', () => {
  it('reports added and removed endpoints by id, in the new order', () => {
    const a = endpoint('a');
    const b = endpoint('b');
    const c = endpoint('c');
    const change = diffEndpointList([a, b], [c, a]);
    expect(change.added).toEqual([c]);
    expect(change.removed).toEqual([b]);
    expect(change.changed).toEqual([]);
    expect(change.endpoints).toEqual([c, a]);
  });

  it('keeps the current object of an endpoint whose options did not change', () => {
    const a = endpoint('a', { headers: { 'X-Key': 'k' } });
    const same = endpoint('a', { headers: { 'X-Key': 'k' } });
    const change = diffEndpointList([a], [same]);
    expect(change.endpoints[0]).toBe(a);
    expect(change.changed).toEqual([]);
  });

  it('takes headers written in another order as the same headers', () => {
    const a = endpoint('a', { headers: { 'X-Key': 'k', 'X-Tenant': 't' } });
    const reordered = endpoint('a', { headers: { 'X-Tenant': 't', 'X-Key': 'k' } });
    expect(sameOptions(a, reordered)).toBe(true);
    expect(diffEndpointList([a], [reordered]).endpoints[0]).toBe(a);
  });

  it('reports a kept endpoint with a new label, priority, weight or header as changed, with its new object', () => {
    const a = endpoint('a', { headers: { 'X-Key': 'k' } });
    const variants = [
      endpoint('a', { headers: { 'X-Key': 'k' }, label: 'renamed' }),
      endpoint('a', { headers: { 'X-Key': 'k' }, priority: 1 }),
      endpoint('a', { headers: { 'X-Key': 'k' }, weight: 3 }),
      endpoint('a', { headers: { 'X-Key': 'k2' } }),
      endpoint('a', { headers: { 'X-Key': 'k', 'X-Other': 'o' } }),
      endpoint('a', { headers: { 'X-Other': 'k' } }),
      endpoint('a'),
    ];
    for (const next of variants) {
      const change = diffEndpointList([a], [next]);
      expect(change.changed).toEqual([{ previous: a, next }]);
      expect(change.endpoints[0]).toBe(next);
      expect(change.added).toEqual([]);
    }
  });
});

describe('applyEndpointList', () => {
  interface Entry {
    endpoint: Endpoint;
    stopped: boolean;
  }

  function entriesOf(...endpoints: Endpoint[]): Map<string, Entry> {
    return new Map(endpoints.map((e) => [e.id, { endpoint: e, stopped: false }]));
  }

  it('stops removed entries, adds new ones, updates changed ones and keeps the new order', () => {
    const a = endpoint('a');
    const b = endpoint('b');
    const entries = entriesOf(a, b);
    const before = { a: entries.get('a')!, b: entries.get('b')! };
    const log: string[] = [];
    const c = endpoint('c');
    const a2 = endpoint('a', { weight: 2 });
    const change = applyEndpointList(entries, [c, a2], {
      endpointOf: (entry) => entry.endpoint,
      add: (e) => {
        log.push(`add ${e.id}`);
        return { endpoint: e, stopped: false };
      },
      remove: (entry) => {
        log.push(`remove ${entry.endpoint.id}`);
        entry.stopped = true;
      },
      update: (entry, { previous, next }) => {
        log.push(`update ${previous.id} weight ${previous.weight}→${next.weight}`);
        entry.endpoint = next;
      },
    });
    expect(log).toEqual(['remove b', 'add c', 'update a weight 1→2']);
    expect([...entries.keys()]).toEqual(['c', 'a']);
    expect(entries.get('a')).toBe(before.a);
    expect(entries.get('a')?.endpoint).toBe(a2);
    expect(before.b.stopped).toBe(true);
    expect(change.added).toEqual([c]);
    expect(change.removed).toEqual([b]);
  });

  it('touches nothing for the same list', () => {
    const entries = entriesOf(endpoint('a'), endpoint('b'));
    const calls: string[] = [];
    const change = applyEndpointList(entries, [endpoint('a'), endpoint('b')], {
      endpointOf: (entry) => entry.endpoint,
      add: (e) => {
        calls.push('add');
        return { endpoint: e, stopped: false };
      },
      remove: () => calls.push('remove'),
      update: () => calls.push('update'),
    });
    expect(calls).toEqual([]);
    expect(change).toMatchObject({ added: [], removed: [], changed: [] });
    expect([...entries.keys()]).toEqual(['a', 'b']);
  });
});
