import { AsyncLocalStorage } from 'node:async_hooks';
import type { rpc } from '@stellar/stellar-sdk';

/** What one attempt's HTTP request needs to know: its abort signal; it records that it went out. */
export interface AttemptScope {
  signal: AbortSignal;
  /** Set when the request reached the HTTP client: an error before that is the caller's, not the node's. */
  sent: boolean;
}

// rpc.Server methods take no AbortSignal. The scope travels with the async context instead,
// and an interceptor on each server's HTTP client hands the signal to the request.
const storage = new AsyncLocalStorage<AttemptScope>();

/** Runs `fn` (which calls rpc.Server methods) with requests bound to `scope.signal`. */
export function runInAttemptScope<T>(scope: AttemptScope, fn: () => Promise<T>): Promise<T> {
  return storage.run(scope, fn);
}

/**
 * Makes a server's requests honour the attempt scope's signal and never outlive `timeoutMs`.
 * Returns a function that undoes it (the user's own server is handed back unchanged on close).
 */
export function bindToAttemptScope(server: rpc.Server, timeoutMs: number): () => void {
  const { httpClient } = server;
  const previousTimeout = httpClient.defaults.timeout;
  // rpc.Server has no request timeout of its own (its `timeout` option is ignored): set one.
  httpClient.defaults.timeout = timeoutMs;
  const { request } = httpClient.interceptors;
  type Config = Parameters<Parameters<typeof request.use>[0]>[0];
  const bind = (config: Config) => {
    const scope = storage.getStore();
    if (scope) {
      scope.sent = true;
      // The SDK's default HTTP client is axios, which honours `signal` (absent from the SDK's own type).
      (config as { signal?: AbortSignal }).signal = scope.signal;
    }
    return config;
  };
  // `synchronous` spares axios a promise chain per request (~30 µs of CPU, measured by
  // bench/overhead.mjs); the fetch-based clients of SDK 16+ take two arguments and ignore it.
  const use = request.use as (fulfilled: typeof bind, rejected: undefined, options: object) => number;
  const id = use.call(request, bind, undefined, { synchronous: true });
  return () => {
    request.eject(id);
    httpClient.defaults.timeout = previousTimeout;
  };
}
