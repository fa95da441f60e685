import type { rpc } from '@stellar/stellar-sdk';

/** What one attempt's HTTP request needs to know: its abort signal; it records that it went out. */
export interface AttemptScope {
  signal: AbortSignal;
  /** Set when the request reached the HTTP client: an error before that is the caller's, not the node's. */
  sent: boolean;
}

// rpc.Server methods take no AbortSignal. Every routed method reaches `httpClient.post` before its
// first `await` (SDK 15 to 17, axios and fetch builds; test/soroban-attempt-scope.test.ts checks
// each), so the scope is handed over synchronously: current during the SDK call, read by a request
// interceptor. An AsyncLocalStorage did the same at a cost on every promise of the process (Node 20).
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

type Post = (url: string, data?: unknown, config?: unknown) => Promise<unknown>;

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

/**
 * Makes a server's requests honour the attempt scope's signal and never outlive `timeoutMs`.
 * Returns a function that undoes it (the user's own server is handed back unchanged on close).
 */
export function bindToAttemptScope(server: rpc.Server, timeoutMs: number): () => void {
  const { httpClient } = server;
  const previousTimeout = httpClient.defaults.timeout;
  // rpc.Server has no request timeout of its own (its `timeout` option is ignored): set one.
  httpClient.defaults.timeout = timeoutMs;
  // axios runs synchronous request interceptors inside `post`, while the scope is current. The
  // fetch-based client of SDK 16+ runs them later, in a promise chain: its `post` marks the
  // request's body (passed on untouched) with the scope.
  const client = httpClient as unknown as { post: Post; makeRequest?: unknown };
  const post = client.post;
  const deferred = typeof client.makeRequest === 'function';
  const scopeOfBody = new WeakMap<object, AttemptScope>();
  if (deferred) {
    client.post = function markedPost(this: unknown, url, data, config) {
      if (current !== undefined && isObject(data)) scopeOfBody.set(data, current);
      return post.call(this, url, data, config);
    };
  }
  const { request } = httpClient.interceptors;
  type Config = Parameters<Parameters<typeof request.use>[0]>[0];
  const bind = (config: Config) => {
    const { data } = config as { data?: unknown };
    const scope = deferred ? (isObject(data) ? scopeOfBody.get(data) : undefined) : current;
    if (scope) {
      scope.sent = true;
      // Both clients honour `signal` (absent from the SDK's own config type); set after axios has
      // merged the config, which is cheaper than merging it in.
      (config as { signal?: AbortSignal }).signal = scope.signal;
    }
    return config;
  };
  // `synchronous` spares axios a promise chain per request; the fetch client takes two arguments.
  const use = request.use as (fulfilled: typeof bind, rejected: undefined, options: object) => number;
  const id = use.call(request, bind, undefined, { synchronous: true });
  return () => {
    request.eject(id);
    // Only what was replaced is put back: an own `post` of the axios client stays its own.
    if (deferred) client.post = post;
    httpClient.defaults.timeout = previousTimeout;
  };
}
