import type { Endpoint } from './endpoint.js';

/** A kept endpoint (same id, so same URL) whose options changed. */
export interface ChangedEndpoint {
  readonly previous: Endpoint;
  readonly next: Endpoint;
}

/** What replacing one endpoint list with another changes, endpoints matched by id. */
export interface EndpointListChange {
  /**
   * The new list, in its order. An endpoint whose options did not change keeps its current object, so
   * results of work started on it (compared by identity) stay valid.
   */
  readonly endpoints: readonly Endpoint[];
  /** In the new list only, in its order. */
  readonly added: readonly Endpoint[];
  /** In the current list only, as they were, in their order. */
  readonly removed: readonly Endpoint[];
  /** In both, with other options (label, headers, priority or weight), in the new list's order. */
  readonly changed: readonly ChangedEndpoint[];
}

/**
 * Compares two endpoint lists by id: which endpoints join, which leave, which stay with new options.
 * Headers are compared by name and value, whatever their order.
 *
 * @example
 * const change = diffEndpointList(current, parseEndpoints(inputs));
 * change.added;   // endpoints to start probing
 * change.removed; // endpoints to stop at once
 * change.changed; // e.g. new headers: reconnect with them
 */
export function diffEndpointList(
  current: readonly Endpoint[],
  next: readonly Endpoint[],
): EndpointListChange {
  const nextIds = new Set(next.map((e) => e.id));
  const currentById = new Map(current.map((e) => [e.id, e]));
  const added: Endpoint[] = [];
  const changed: ChangedEndpoint[] = [];
  const endpoints = next.map((endpoint) => {
    const previous = currentById.get(endpoint.id);
    if (!previous) added.push(endpoint);
    else if (!sameOptions(previous, endpoint)) changed.push({ previous, next: endpoint });
    else return previous;
    return endpoint;
  });
  const removed = current.filter((e) => !nextIds.has(e.id));
  return { endpoints, added, removed, changed };
}

/** What an owner of one entry per endpoint does as the list changes. */
export interface EndpointListHooks<Entry> {
  /** The endpoint `entry` stands for now. */
  endpointOf(entry: Entry): Endpoint;
  /** A new endpoint joins: its entry. */
  add(endpoint: Endpoint): Entry;
  /** An endpoint leaves: stop what its entry runs. */
  remove(entry: Entry): void;
  /** A kept endpoint has new options. */
  update(entry: Entry, change: ChangedEndpoint): void;
}

/**
 * Applies a new endpoint list to `entries` (one per endpoint id, in list order): removed entries are
 * stopped first, then entries are added or updated, and `entries` ends up in the new list's order.
 *
 * @example
 * const change = applyEndpointList(this.#streams, next, {
 *   endpointOf: (stream) => stream.endpoint,
 *   add: (endpoint) => this.#newStream(endpoint),
 *   remove: (stream) => stream.stop(),
 *   update: (stream, { next }) => stream.reconnect(next),
 * });
 */
export function applyEndpointList<Entry>(
  entries: Map<string, Entry>,
  next: readonly Endpoint[],
  hooks: EndpointListHooks<Entry>,
): EndpointListChange {
  const change = diffEndpointList([...entries.values()].map(hooks.endpointOf), next);
  for (const endpoint of change.removed) {
    hooks.remove(entries.get(endpoint.id)!);
    entries.delete(endpoint.id);
  }
  const changed = new Map(change.changed.map((c) => [c.next.id, c]));
  const ordered = change.endpoints.map((endpoint): [string, Entry] => {
    let entry = entries.get(endpoint.id);
    if (!entry) entry = hooks.add(endpoint);
    else {
      const options = changed.get(endpoint.id);
      if (options) hooks.update(entry, options);
    }
    return [endpoint.id, entry];
  });
  entries.clear();
  for (const [id, entry] of ordered) entries.set(id, entry);
  return change;
}

/** Whether two endpoints with one id are configured alike: nothing to reconnect, nothing to re-rank. */
export function sameOptions(a: Endpoint, b: Endpoint): boolean {
  return (
    a.label === b.label &&
    a.priority === b.priority &&
    a.weight === b.weight &&
    sameHeaders(a.headers, b.headers)
  );
}

/** Same names and values; the order they were written in does not matter. */
export function sameHeaders(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): boolean {
  const names = Object.keys(a);
  return (
    names.length === Object.keys(b).length &&
    names.every((name) => Object.hasOwn(b, name) && a[name] === b[name])
  );
}
