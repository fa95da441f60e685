/**
 * `make`, computed once per key: the attributes and span options of a series, built once and reused
 * so that a call allocates none. Keys are labels, results, kinds and method names: a bounded set.
 *
 * @example
 * const attributesOf = memo((label) => ({ 'switchyard.endpoint': label }));
 * attributesOf('a') === attributesOf('a'); // true
 */
export function memo<V>(make: (key: string) => V): (key: string) => V {
  const values = new Map<string, V>();
  return (key) => {
    let value = values.get(key);
    if (value === undefined) {
      value = make(key);
      values.set(key, value);
    }
    return value;
  };
}
