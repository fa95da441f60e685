import type { FetchLike } from 'eventsource';
import { Agent, type Response, fetch as undiciFetch } from 'undici';
import { credentialsAsHeader, type Endpoint, type ErrorClass } from '../../src/adapter.js';
import { EndpointError } from '../../src/index.js';

/**
 * Largest JSON answer read. The paths the monitor reads (node/syncing, headers/head, genesis, spec) answer
 * in a few KB; a bigger body is a broken node or a proxy's page, and reading it whole would hold it all.
 */
const MAX_JSON_BYTES = 1024 * 1024;

/** Timeouts of the beacon monitor's HTTP agent. */
export interface BeaconHttpTimeouts {
  /** TCP (and TLS) connect deadline. */
  connectTimeoutMs: number;
  /**
   * Longest silence undici accepts while waiting for headers or reading a body. A backstop: the monitor's
   * own stall timer (1.5 slots) is finer, since undici checks these timeouts only about once a second.
   */
  bodyTimeoutMs: number;
}

/**
 * Beacon API requests over one undici `Agent` with real connect and body timeouts: JSON reads and the
 * `fetch` that `eventsource` uses for SSE. Every request carries the endpoint's headers and honours the
 * caller's abort signal, so closing a stream closes its connection.
 *
 * @example
 * const http = new BeaconHttp({ connectTimeoutMs: 5000, bodyTimeoutMs: 30_000 });
 * const genesis = await http.getJson(endpoint, 'eth/v1/beacon/genesis', signal);
 * await http.close();
 */
export class BeaconHttp {
  readonly #agent: Agent;

  constructor(timeouts: BeaconHttpTimeouts) {
    this.#agent = new Agent({
      connectTimeout: timeouts.connectTimeoutMs,
      headersTimeout: timeouts.bodyTimeoutMs,
      bodyTimeout: timeouts.bodyTimeoutMs,
    });
  }

  /** GETs `path` (relative, e.g. `eth/v1/node/syncing`) on `endpoint` and parses the JSON answer. */
  async getJson(endpoint: Endpoint, path: string, signal: AbortSignal): Promise<unknown> {
    const request = beaconRequest(endpoint, path);
    const response = await undiciFetch(request.url, {
      headers: { Accept: 'application/json', ...request.headers },
      signal,
      dispatcher: this.#agent,
    });
    const text = await textUpTo(response, MAX_JSON_BYTES);
    if (!response.ok) throw new EndpointError(endpoint.label, `HTTP ${response.status}`, response.status);
    if (text === undefined)
      throw new EndpointError(endpoint.label, `answered ${path} with more than ${MAX_JSON_BYTES} bytes`);
    try {
      return JSON.parse(text);
    } catch {
      throw new EndpointError(endpoint.label, `answered ${path} with something that is not JSON`);
    }
  }

  /**
   * A `fetch` for `eventsource`: adds the request's headers, forwards the abort signal (without it,
   * `close()` would leak the connection) and reports every chunk received through `onBytes`, which
   * is how keep-alive comments, invisible to `eventsource` listeners, keep a stream from counting as stalled.
   */
  eventSourceFetch(request: BeaconRequest, onBytes: () => void): FetchLike {
    return async (url, init) => {
      const response = await undiciFetch(url, {
        method: 'GET',
        headers: { ...init.headers, ...request.headers },
        signal: init.signal as AbortSignal,
        dispatcher: this.#agent,
      });
      const tap = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          onBytes();
          controller.enqueue(chunk);
        },
      });
      return {
        status: response.status,
        url: response.url,
        redirected: response.redirected,
        headers: response.headers,
        body: response.body?.pipeThrough(tap) ?? null,
      };
    };
  }

  /** Closes every connection of the agent. */
  close(): Promise<void> {
    return this.#agent.destroy();
  }
}

/** The body as text, or undefined (the rest unread, the connection released) once it passes `maxBytes`. */
async function textUpTo(response: Response, maxBytes: number): Promise<string | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Leaving the loop early cancels the body.
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Where and how to send one beacon API request. */
export interface BeaconRequest {
  url: string;
  headers: Record<string, string>;
}

/**
 * The request for a beacon API `path` under `endpoint`'s URL, keeping its path prefix and query (API keys
 * often live there). Credentials in the URL move to a Basic `Authorization` header: fetch refuses URLs
 * that carry them.
 *
 * @example
 * beaconRequest({ url: 'https://u:p@bn.example/key/abc?token=t', headers: {} }, 'eth/v1/events?topics=head')
 * // { url: 'https://bn.example/key/abc/eth/v1/events?token=t&topics=head', headers: { Authorization: 'Basic dTpw' } }
 */
export function beaconRequest(endpoint: Pick<Endpoint, 'url' | 'headers'>, path: string): BeaconRequest {
  const { url: base, headers } = credentialsAsHeader(endpoint.url);
  const url = new URL(base);
  const [pathname = '', query] = path.split('?');
  url.pathname = `${url.pathname.replace(/\/?$/, '/')}${pathname.replace(/^\//, '')}`;
  for (const [key, value] of new URLSearchParams(query)) url.searchParams.append(key, value);
  return { url: url.toString(), headers: { ...headers, ...endpoint.headers } };
}

/**
 * Classifies a failure of {@link BeaconHttp.getJson} for probes and logs: a 429 rests the node, other
 * statuses and network errors count against it. The reason names no URL.
 *
 * @example
 * catch (error) { return failedProbe(classifyBeaconError(error), elapsed) }
 */
export function classifyBeaconError(error: unknown): ErrorClass {
  if (error instanceof EndpointError) {
    const reason = error.shortMessage.slice(error.endpoint.length + 2);
    return { kind: error.status === 429 ? 'rate-limited' : 'node', reason };
  }
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError'))
    return { kind: 'transport', reason: 'timeout' };
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return { kind: 'transport', reason: code ?? (error instanceof Error ? error.name : 'error') };
}
