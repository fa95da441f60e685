import type { rpc } from '@stellar/stellar-sdk';
import {
  type AttemptContext,
  credentialsAsHeader,
  type Endpoint,
  requireArray,
  requireObject,
  requireString,
  requireStringRecord,
} from '../../src/adapter.js';
import {
  ConfigError,
  createFailover,
  type EndpointConfig,
  type EndpointInput,
  type FailoverConfig,
  type FailoverControl,
  failoverControl,
  parseEndpoints,
  redactUrl,
} from '../../src/index.js';
import { resolveTuning } from '../../src/options.js';
import { type AttemptScope, bindToAttemptScope, runInAttemptScope } from './attemptScope.js';
import { SOROBAN_METHOD_ROUTES } from './methods.js';
import { type ServerClass, serverClassOf } from './serverShape.js';
import { sorobanClassifier } from './sorobanClassifier.js';
import { sorobanProbe } from './sorobanProbe.js';

/** The control surface added to a wrapped server as `server.failover`. */
export type SorobanFailover = FailoverControl;

/** An `rpc.Server` whose calls are routed to the best endpoint, plus its `failover` control. */
export type FailoverServer = rpc.Server & { readonly failover: SorobanFailover };

export interface WithFailoverOptions extends FailoverConfig {
  /**
   * More endpoints besides the wrapped server's own URL. An entry with the wrapped server's URL
   * configures that endpoint (label, priority, weight) instead of adding another. Errors count the
   * wrapped server as `endpoints[0]`: your first entry is `endpoints[1]`.
   */
  endpoints?: readonly EndpointInput[];
  /**
   * Options for the servers built for the other endpoints. `rpc.Server` does not keep its
   * options, so by default they are recovered from the wrapped server: its headers, and
   * `allowHttp` when its own URL is `http:`.
   */
  serverOptions?: rpc.Server.Options;
  /** Ledgers a node may trail the others before it is lagging. @default 5 */
  lagTolerance?: number;
  /**
   * The network every endpoint must serve (`Networks.TESTNET`, `Networks.PUBLIC`, ...): each
   * endpoint's `getNetwork` passphrase is checked at its first probe and every few minutes; one on
   * another network is down and never used. @default the wrapped server's own network
   */
  networkPassphrase?: string;
}

// Set by the SDK on every server; not the user's.
const SDK_HEADERS = new Set(['x-client-name', 'x-client-version']);

function recoverServerOptions(server: rpc.Server): rpc.Server.Options {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(server.httpClient.defaults.headers ?? {})) {
    if (typeof value === 'string' && !SDK_HEADERS.has(name.toLowerCase())) headers[name] = value;
  }
  // serverURL is a urijs URI up to SDK 15 and a WHATWG URL from 16 on: read it through its string.
  return { allowHttp: new URL(server.serverURL.toString()).protocol === 'http:', headers };
}

function configOf(input: EndpointInput): EndpointConfig {
  // A malformed entry (null, a number) goes on to parseEndpoints, which names it.
  return typeof input === 'string' ? { url: input } : { ...input };
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).toString() === new URL(b).toString();
  } catch {
    return false;
  }
}

/**
 * Wraps a Stellar `rpc.Server` with proactive failover across several Soroban RPC endpoints.
 * The result is still an `rpc.Server` (same methods, same types) plus a `failover` control.
 * The server may come from any build of the SDK (`/minimal`, `/no-axios`, `/axios`, their `/rpc`
 * entries) or any copy of it: the other endpoints' servers are built with its own class.
 *
 * Every call is bounded by `timeoutMs` (a plain `rpc.Server` has no timeout), reads are hedged
 * and retried on other nodes, `sendTransaction` is retried on another node when it is safe
 * (a repeat answers DUPLICATE, reported as PENDING when switchyard made the repeat), and
 * endpoints known to be down, slow or behind are avoided before a call waits on them.
 *
 * @example
 * import { rpc } from '@stellar/stellar-sdk';
 * import { withFailover } from 'switchyard-rpc/soroban';
 *
 * const server = withFailover(new rpc.Server('https://rpc-a.example'), {
 *   endpoints: ['https://rpc-b.example', { url: 'https://paid.example', priority: 1, label: 'paid' }],
 * });
 * const ledger = await server.getLatestLedger();
 * server.failover.on('route-change', (e) => console.log(`${e.from?.label} → ${e.to?.label}`));
 * await server.failover.close();
 */
export function withFailover(server: rpc.Server, options: WithFailoverOptions = {}): FailoverServer {
  const ServerClass = serverClassOf(server);
  const ownUrl = server.serverURL.toString();
  const extra = options.endpoints ?? [];
  requireArray('endpoints', extra);
  if (options.networkPassphrase !== undefined) requireString('networkPassphrase', options.networkPassphrase);
  const ownConfig = extra.map(configOf).find((e) => sameUrl(e.url, ownUrl));
  const endpoints: EndpointInput[] = [
    { ...ownConfig, url: ownUrl },
    ...extra.filter((e) => !sameUrl(configOf(e).url, ownUrl)),
  ];
  if (options.serverOptions !== undefined) {
    requireObject('serverOptions', options.serverOptions, 'rpc.Server options');
    if (options.serverOptions.headers !== undefined)
      requireStringRecord('serverOptions.headers', options.serverOptions.headers);
  }
  const serverOptions = { ...recoverServerOptions(server), ...options.serverOptions };

  const { timeoutMs } = resolveTuning(options);
  const servers = new Map<string, { server: rpc.Server; unbind: () => void }>();
  const serverFor = (endpoint: Endpoint, field = 'endpoints'): rpc.Server => {
    let entry = servers.get(endpoint.id);
    if (!entry) {
      const built = sameUrl(endpoint.url, ownUrl)
        ? server
        : buildServer(ServerClass, endpoint, serverOptions, field);
      entry = { server: built, unbind: bindToAttemptScope(built, timeoutMs) };
      servers.set(endpoint.id, entry);
    }
    return entry.server;
  };
  // Build every server first: a missing allowHttp is a config error at construction, not a failed call.
  const buildServers = (inputs: readonly EndpointInput[]) => {
    parseEndpoints(inputs).forEach((endpoint, i) => {
      serverFor(endpoint, `endpoints[${i}]`);
    });
  };
  buildServers(endpoints);

  // By attempt, not by signal: the lone attempts of an instance share one signal.
  const scopes = new WeakMap<AttemptContext, AttemptScope>();
  const probe = sorobanProbe(serverFor, { timeoutMs });
  const failover = createFailover({
    defaultLagTolerance: 5,
    ...options,
    endpoints,
    probe,
    network: { expected: options.networkPassphrase, reference: 'first' },
    classifier: sorobanClassifier((context) => scopes.get(context)?.sent ?? true),
  });
  failover.on('endpoints-changed', ({ removed }) => {
    for (const { id } of removed) {
      servers.get(id)?.unbind();
      servers.delete(id);
    }
  });

  const control = failoverControl(failover, {
    updateEndpoints(inputs) {
      buildServers(inputs);
      failover.updateEndpoints(inputs);
    },
    async close() {
      await failover.close();
      await probe.close();
      for (const entry of servers.values()) entry.unbind();
      servers.clear();
    },
  });

  const routed = new Map<PropertyKey, (...args: unknown[]) => unknown>();
  const routedMethod = (name: string, method: (...args: unknown[]) => unknown, receiver: unknown) => {
    const kind = SOROBAN_METHOD_ROUTES[name] ?? 'composite';
    if (kind === 'composite') return (...args: unknown[]) => method.apply(receiver, args);
    const callOptions = { kind, method: name };
    const submits = name === 'sendTransaction' || name === '_sendTransaction';
    return (...args: unknown[]) =>
      failover.call((context: AttemptContext) => {
        const scope: AttemptScope = { signal: context.signal, sent: false };
        scopes.set(context, scope);
        const target = serverFor(context.endpoint) as unknown as Record<
          string,
          (...a: unknown[]) => Promise<unknown>
        >;
        const answer = runInAttemptScope(scope, () => target[name]!(...args));
        // Only a submission needs a look at its answer: a read is handed on as it is (no extra promise).
        return submits ? answer.then((result) => reportedAnswer(result, context)) : answer;
      }, callOptions);
  };

  return new Proxy(server, {
    get(target, property, receiver) {
      if (property === 'failover') return control;
      const value: unknown = Reflect.get(target, property, target);
      if (
        typeof property !== 'string' ||
        typeof value !== 'function' ||
        property === 'constructor' ||
        !(property in ServerClass.prototype)
      ) {
        return value;
      }
      let wrapped = routed.get(property);
      if (!wrapped) {
        wrapped = routedMethod(property, value as (...args: unknown[]) => unknown, receiver);
        routed.set(property, wrapped);
      }
      return wrapped;
    },
  }) as FailoverServer;
}

function buildServer(
  ServerClass: ServerClass,
  endpoint: Endpoint,
  options: rpc.Server.Options,
  field: string,
): rpc.Server {
  try {
    const { url, headers } = credentialsAsHeader(endpoint.url);
    return new ServerClass(url, {
      ...options,
      headers: { ...options.headers, ...headers, ...endpoint.headers },
    });
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      field,
      problem.includes('allowHttp')
        ? 'is http: but the wrapped server does not allow http; pass serverOptions: { allowHttp: true }'
        : `cannot build an rpc.Server (${redactUrl(problem)})`,
    );
  }
}

/**
 * A submission's answer as the caller sees it. A DUPLICATE that answers switchyard's own repeat of
 * a submission means the first attempt got through: to the caller, who sent once, it is PENDING.
 */
function reportedAnswer(result: unknown, context: AttemptContext): unknown {
  const duplicateOfOurRetry =
    context.attempt > 0 && (result as { status?: unknown } | undefined)?.status === 'DUPLICATE';
  return duplicateOfOurRetry ? { ...(result as object), status: 'PENDING' } : result;
}
