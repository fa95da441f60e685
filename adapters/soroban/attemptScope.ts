import type { rpc } from '@stellar/stellar-sdk';

/** What one attempt's HTTP request needs to know: its abort signal; it records that it went out. */
export interface AttemptScope {
  signal: AbortSignal;
  /** Set when the request reached the HTTP client: an error before that is the caller's, not the node's. */
  sent: boolean;
}

// rpc.Server methods take no AbortSignal. Every routed method reaches `httpClient.post` before its
// first `await` (SDK 15 to 17, axios and fetch builds; test/soroban-builds.test.ts checks that an
// attempt's request is aborted), so the scope is handed over synchronously: set around the SDK call,
// taken by the post. An AsyncLocalStorage did the same at ~50 µs of CPU per call on Node 20, where
// it taxes every promise of the process once used.
let current: AttemptScope | undefined;

/** Runs `fn` (which calls one rpc.Server method) with its request bound to `scope.signal`. */
export function runInAttemptScope<T>(scope: AttemptScope, fn: () => Promise<T>): Promise<T> {
  const outer = current;
  current = scope;
  try {
    return fn();
  } finally {
    current = outer;
  }
}

type Post = (url: string, data?: unknown, config?: Record<string, unknown>) => Promise<unknown>;

/**
 * Makes a server's requests honour the attempt scope's signal and never outlive `timeoutMs`.
 * Returns a function that undoes it (the user's own server is handed back unchanged on close).
 */
export function bindToAttemptScope(server: rpc.Server, timeoutMs: number): () => void {
  const { httpClient } = server;
  // The SDK's HttpClient type says what the post answers; this file only passes it on.
  const client = httpClient as unknown as { post: Post; makeRequest?: unknown };
  const previousTimeout = httpClient.defaults.timeout;
  // rpc.Server has no request timeout of its own (its `timeout` option is ignored): set one.
  httpClient.defaults.timeout = timeoutMs;
  const post = client.post;
  // The fetch-based client of SDK 16+ replaces the `signal` it is given with its own; its request
  // interceptors (run later, in a promise chain) still may set one. It is told which request by
  // the body object, which it passes on untouched.
  const viaInterceptor = typeof client.makeRequest === 'function';
  const scopeOfBody = new WeakMap<object, AttemptScope>();
  client.post = function boundPost(this: unknown, url, data, config) {
    const scope = current;
    // Requests made outside an attempt (friendbot, probes) go out as they are.
    if (scope === undefined) return post.call(this, url, data, config);
    scope.sent = true;
    if (viaInterceptor && typeof data === 'object' && data !== null) {
      scopeOfBody.set(data, scope);
      return post.call(this, url, data, config);
    }
    // axios honours `signal` (absent from the SDK's own config type) and merges it by reference.
    return post.call(this, url, data, { ...config, signal: scope.signal });
  };
  const { request } = httpClient.interceptors;
  type Config = Parameters<Parameters<typeof request.use>[0]>[0];
  const id = viaInterceptor
    ? request.use((config: Config) => {
        const { data } = config as { data?: unknown };
        const scope = typeof data === 'object' && data !== null ? scopeOfBody.get(data) : undefined;
        if (scope) (config as { signal?: AbortSignal }).signal = scope.signal;
        return config;
      })
    : undefined;
  return () => {
    if (id !== undefined) request.eject(id);
    client.post = post;
    httpClient.defaults.timeout = previousTimeout;
  };
}
