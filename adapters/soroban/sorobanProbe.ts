import type { rpc } from '@stellar/stellar-sdk';
import {
  credentialsAsHeader,
  type Endpoint,
  type ErrorClass,
  failedProbe,
  type HealthProbe,
  type ProbeResult,
  positiveOption,
} from '../../src/adapter.js';
import { JsonRpcHttp, type JsonRpcTarget, MalformedAnswerError } from './JsonRpcHttp.js';
import { classifySorobanError } from './sorobanClassifier.js';

/** Options of {@link sorobanProbe}. */
export interface SorobanProbeOptions {
  /** Bounds a probe's connection, its wait for headers and each pause in its answer. @default 10000 */
  timeoutMs?: number;
}

/** A {@link HealthProbe} that holds connections: `close()` ends them. */
export interface SorobanProbe extends HealthProbe {
  /** Closes the probe's connections; a probe still out fails. */
  close(): Promise<void>;
}

/**
 * Checks a Soroban RPC node with `getHealth`: up when it answers `healthy` with a ledger.
 * The ledger feeds lag detection: a node can say healthy while it is far behind, so its
 * head, not its status string, decides whether it is fresh. Its network is its `getNetwork`
 * passphrase: a testnet URL in a mainnet list is never used.
 *
 * Probes do not go through the SDK: a probe every second on each of many endpoints cost about a
 * millisecond of CPU each through `rpc.Server` and axios. They are plain JSON-RPC POSTs over one
 * undici keep-alive pool per origin, to the URL of the server `serverFor` gives and with its headers
 * (`httpClient.defaults.headers`, read at each probe: a token changed there is sent at the next one).
 * That server was built with `allowHttp` checked. Not honoured, unlike calls: interceptors, agents,
 * proxies (`HTTP_PROXY`) or an adapter set on the server's `httpClient`, and redirects (a 3xx is
 * `HTTP 3xx`). Answers over 1 MiB are not read (`malformed answer`).
 *
 * @example
 * import { createFailover } from 'switchyard-rpc';
 * import { classifySorobanError, sorobanProbe } from 'switchyard-rpc/soroban';
 *
 * const server = new rpc.Server('https://rpc-a.example');
 * const probe = sorobanProbe(() => server, { timeoutMs: 5000 });
 * const failover = createFailover({ endpoints: [server.serverURL.toString()], probe });
 * // ...
 * await failover.close();
 * await probe.close();
 */
export function sorobanProbe(
  serverFor: (endpoint: Endpoint) => rpc.Server,
  options: SorobanProbeOptions = {},
): SorobanProbe {
  const http = new JsonRpcHttp({ timeoutMs: positiveOption('timeoutMs', options.timeoutMs, 10_000) });
  const places = new WeakMap<rpc.Server, Pick<JsonRpcTarget, 'origin' | 'path'> & { auth: object }>();
  const targetOf = (endpoint: Endpoint): JsonRpcTarget => {
    const server = serverFor(endpoint);
    let place = places.get(server);
    if (!place) {
      // serverURL is a urijs URI up to SDK 15 and a WHATWG URL from 16 on: read it through its string.
      const { url, headers } = credentialsAsHeader(server.serverURL.toString());
      const parsed = new URL(url);
      place = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}`, auth: headers };
      places.set(server, place);
    }
    return { origin: place.origin, path: place.path, headers: headersOf(server, place.auth) };
  };
  return {
    async check(endpoint, signal): Promise<ProbeResult> {
      const started = performance.now();
      try {
        const health = (await http.call(targetOf(endpoint), 'getHealth', signal)) as
          | { status?: unknown; latestLedger?: unknown }
          | undefined;
        const latencyMs = performance.now() - started;
        if (health?.status !== 'healthy') {
          return { ok: false, latencyMs, detail: `getHealth said ${String(health?.status ?? 'nothing')}` };
        }
        if (typeof health.latestLedger !== 'number') {
          return { ok: false, latencyMs, detail: 'getHealth gave no latestLedger' };
        }
        return { ok: true, latencyMs, head: health.latestLedger };
      } catch (error) {
        if (signal.aborted) throw error;
        return failedProbe(classifyProbeError(error), performance.now() - started);
      }
    },
    async network(endpoint, signal): Promise<string> {
      let answer: { passphrase?: unknown } | undefined;
      try {
        answer = (await http.call(targetOf(endpoint), 'getNetwork', signal)) as typeof answer;
      } catch (error) {
        if (signal.aborted) throw error;
        // The core shows the message as the endpoint's reason: the classified one, as for getHealth.
        throw new Error(classifyProbeError(error).reason);
      }
      // An HTML page or a cut answer resolves to nothing at all.
      if (typeof answer?.passphrase !== 'string') throw new Error('getNetwork gave no passphrase');
      return answer.passphrase;
    },
    close: () => http.close(),
  };
}

/** The server's own string headers (the user's, and the SDK's client name), and Basic auth from its URL. */
function headersOf(server: rpc.Server, auth: object): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...auth };
  const own = server.httpClient.defaults.headers ?? {};
  // A record (axios, and the fetch client of SDK 16+), or what the SDK's type also allows: pairs, a Headers.
  const pairs: Iterable<[string, unknown]> = Array.isArray(own)
    ? own
    : typeof (own as Headers).entries === 'function'
      ? (own as Headers).entries()
      : Object.entries(own);
  // axios keeps per-method defaults (`common`, `post`...) beside them, as objects: those are skipped.
  for (const [name, value] of pairs) {
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

/** As a call's error is classified; an answer too big to read is the node's fault. */
function classifyProbeError(error: unknown): ErrorClass {
  if (error instanceof MalformedAnswerError)
    return { kind: 'node', reason: `malformed answer (${error.message})` };
  // A probe has no arguments of the caller's to get wrong: whatever fails is on the node's side.
  return classifySorobanError(error, true);
}
