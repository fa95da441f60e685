import { redactUrl } from '../../src/endpoint.js';

/**
 * Each URL's redacted form, numbered when several redact alike (two keys on one provider):
 * `https://***@rpc.example/v2/***#2`.
 *
 * @example
 * watchLabels(['https://a.example/v2/0123456789abcdef', 'https://a.example/v2/fedcba9876543210']);
 * // ['https://a.example/v2/***#1', 'https://a.example/v2/***#2']
 */
export function watchLabels(urls: readonly string[]): string[] {
  const redacted = urls.map(redactUrl);
  return redacted.map((label, i) => {
    const alike = redacted.filter((other) => other === label).length;
    if (alike === 1) return label;
    return `${label}#${redacted.slice(0, i + 1).filter((other) => other === label).length}`;
  });
}
