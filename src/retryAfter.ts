/**
 * Reads an HTTP `Retry-After` value — seconds or an HTTP date — as milliseconds; undefined when
 * absent or unreadable. For adapters' classifiers of HTTP 429 answers.
 *
 * @example
 * parseRetryAfter('2') // 2000
 * parseRetryAfter(response.headers.get('retry-after'))
 */
export function parseRetryAfter(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
