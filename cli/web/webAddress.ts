/** Where `--web` serves the status page. */
export interface WebAddress {
  host: string;
  /** 0: any free port. */
  port: number;
}

/**
 * Reads a `--web` value, `[host:]port` (host 127.0.0.1 unless given; `[::1]:8080` for IPv6):
 * undefined when not given, or a message saying what is wrong with it.
 *
 * @example
 * parseWebAddress('8080'); // { host: '127.0.0.1', port: 8080 }
 * parseWebAddress('[::1]:0'); // { host: '::1', port: 0 }
 * parseWebAddress('http://h:1'); // "--web must be [host:]port, such as 127.0.0.1:8080 or 8080 (got 'http://h:1')"
 */
export function parseWebAddress(text: string | undefined): WebAddress | undefined | string {
  if (text === undefined) return undefined;
  const match = /^\s*(?:(\[[^\]]+\]|[^:\s[\]]+):)?(\d+)\s*$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port > 65_535)
    return `--web must be [host:]port, such as 127.0.0.1:8080 or 8080 (got '${text}')`;
  return { host: match[1]?.replace(/^\[|\]$/g, '') ?? '127.0.0.1', port };
}

/**
 * `host:port` as a URL's authority: an IPv6 host in brackets.
 *
 * @example
 * hostPort('::1', 8080); // '[::1]:8080'
 */
export const hostPort = (host: string, port: number): string =>
  `${host.includes(':') ? `[${host}]` : host}:${port}`;
