import {
  type Chain,
  createTransport,
  type EIP1193RequestFn,
  type Transport,
  type TransportConfig,
} from 'viem';
import type { AttemptContext, CallClassifier, RejectedResult } from '../../src/adapter.js';
import {
  ConfigError,
  consoleLogger,
  createFailover,
  type EndpointConfig,
  type FailoverConfig,
  type FailoverControl,
  failoverControl,
  redactUrl,
} from '../../src/index.js';
import { resolveTuning } from '../../src/options.js';
import { checkFailoverConfig } from './checkFailoverConfig.js';
import { evmClassifier } from './evmClassifier.js';
import { chainNetwork, evmProbe } from './evmProbe.js';
import { FailoverSubscription, type SubscribeParameters } from './FailoverSubscription.js';
import { callKindOf } from './methodKinds.js';
import { alreadySent } from './repeatedTransaction.js';
import { SharedAttemptSignals } from './SharedAttemptSignals.js';

/** Per-transport options, by position in the list. */
export type FailoverEndpointOptions = Partial<Pick<EndpointConfig, 'label' | 'priority' | 'weight'>>;

export interface FailoverTransportConfig extends FailoverConfig {
  /** Labels, priority tiers and weights of the transports, by position. */
  endpoints?: readonly (FailoverEndpointOptions | undefined)[];
  /** Chain id every endpoint must serve. @default the client's `chain.id`, once a client uses the transport */
  chainId?: number;
  /** Blocks a node may trail the others before it is lagging. @default 2 */
  lagTolerance?: number;
  /** viem's own retries around the whole failover call; failover already retries elsewhere. @default 0 */
  retryCount?: number;
  /**
   * A subscription with no notification for this long has stalled and moves to another endpoint.
   * @default 3 block times of the client's chain (`chain.blockTime`), or 36 s
   */
  subscriptionStallMs?: number;
  /** @default 'failover' */
  key?: string;
  /** @default 'Failover' */
  name?: string;
}

/**
 * The control surface on the transport (`transport.failover`) and on `client.transport.failover`.
 * The endpoints are the transports given: `updateEndpoints` throws; make a new transport instead.
 */
export type ViemFailover = FailoverControl;

/** Whether viem should subscribe rather than poll: as for its `fallback`, when the first transport is a socket. */
export type SubscribesFirst<transports extends readonly Transport[]> = transports extends readonly [
  infer first extends Transport,
  ...unknown[],
]
  ? ReturnType<first>['config']['type'] extends 'webSocket' | 'ipc'
    ? true
    : false
  : false;

/**
 * The transport `failover()` returns. Its type is `'webSocket'` when the first transport is a
 * socket, so viem subscribes for watches (and accepts `poll: false`) as it would with a
 * webSocket transport; otherwise `'failover'`, and watches poll.
 */
export type FailoverTransport<transports extends readonly Transport[] = readonly Transport[]> = Transport<
  SubscribesFirst<transports> extends true ? 'webSocket' : 'failover',
  {
    failover: ViemFailover;
    subscribe: (
      parameters: SubscribeParameters,
    ) => Promise<{ subscriptionId: string; unsubscribe: () => Promise<boolean> }>;
    transports: ReturnType<Transport>[];
  }
> & {
  readonly failover: ViemFailover;
};

const isQuantity = (value: unknown): value is `0x${string}` =>
  typeof value === 'string' && /^0x[0-9a-fA-F]{1,64}$/.test(value);
// Never throws (hexToNumber does past 2^53): a head reader that threw would lose the answer.
const hexHead = (value: unknown) => {
  const head = isQuantity(value) ? Number(value) : undefined;
  return Number.isSafeInteger(head) ? head : undefined;
};
// viem turns a JSON number or `true` into a BigInt without a word: a broken node's answer must not reach the caller.
const checkQuantity = (value: unknown): RejectedResult | undefined =>
  isQuantity(value)
    ? undefined
    : { reason: 'eth_blockNumber answer is not a hex quantity', acceptIfLast: false };

// A node answers null for a block it has not seen yet (geth, anvil): one a block behind the node
// that announced it (a `watchBlocks` fetch) may not have it. Asked elsewhere; null if no one has it.
const checkBlockFound = (block: unknown): RejectedResult | undefined =>
  block === null ? { reason: 'block not found (the node may be behind)', acceptIfLast: true } : undefined;

/**
 * Answers that reveal the node's head: `eth_blockNumber`, and the `latest` block. A stale one is
 * re-asked on a fresh node at once. A block asked for by number that the node does not have is asked
 * of the next node. Other answers (a balance) carry nothing to judge them by.
 */
function headReader(method: string, params: unknown): Partial<CallClassifier> | undefined {
  if (method === 'eth_blockNumber') return { headOf: hexHead, checkResult: checkQuantity };
  if (method !== 'eth_getBlockByNumber') return undefined;
  const block = (params as unknown[] | undefined)?.[0];
  if (block === 'latest') return { headOf: (b) => hexHead((b as { number?: unknown } | null)?.number) };
  return isQuantity(block) ? { checkResult: checkBlockFound } : undefined;
}

// Transports that may batch requests by signal (http, and a fallback of them).
const BATCHING_TYPES = new Set(['http', 'fallback']);

// Ethereum mainnet's slot time, for chains that do not state theirs.
const DEFAULT_BLOCK_TIME_MS = 12_000;

/**
 * What an attempt calls on an inner transport. For viem's http transport, the request under its
 * `buildRequest` wrapper: the failover transport's own wrapper already maps JSON-RPC errors to viem's
 * classes, and the inner one's retries are off; two layers cost CPU on every call and wrapped each
 * error twice. A transport that limits its `methods`, or was given retries of its own, keeps its
 * wrapper, which enforces them.
 */
function attemptRequestOf(instance: ReturnType<Transport>): EIP1193RequestFn {
  const { type, methods, retryCount, request } = instance.config;
  return type === 'http' && methods === undefined && retryCount === 0
    ? (request as EIP1193RequestFn)
    : instance.request;
}

/**
 * A viem transport over several transports (http, webSocket, custom, even a `fallback`) that
 * moves requests off a slow, dead, lagging or wrong-chain endpoint *before* they wait on it:
 * endpoints are probed in the background (`eth_blockNumber`, `eth_syncing`, `eth_chainId`),
 * reads are hedged and retried elsewhere, `eth_sendRawTransaction` is repeated on another node
 * when that is safe, and the caller's own errors (reverts, bad params) come back at once.
 * Watches (`watchBlocks`, `watchBlockNumber`) poll through it, so they outlive any one node.
 *
 * @example
 * import { createPublicClient, http, webSocket } from 'viem';
 * import { mainnet } from 'viem/chains';
 * import { failover } from 'switchyard-rpc/viem';
 *
 * const transport = failover([http(urlA), http(urlB), webSocket(wsC)]);
 * const client = createPublicClient({ chain: mainnet, transport });
 * await client.getBlockNumber();
 * transport.failover.on('route-change', (e) => console.log(e.from?.label, '→', e.to?.label));
 * await transport.failover.close();
 */
export function failover<const transports extends readonly Transport[]>(
  transports: transports,
  config: FailoverTransportConfig = {},
): FailoverTransport<transports> {
  checkFailoverConfig(transports, config);
  const { endpoints: endpointOptions = [], chainId, key = 'failover', name = 'Failover', ...tuning } = config;
  let expectedChainId = chainId;
  // One instance per transport for probes and calls; viem's retries are off inside: failover retries elsewhere.
  const inner = transports.map((transport) => transport({ retryCount: 0 }));
  const subscribesFirst = ['webSocket', 'ipc'].includes(inner[0]?.config.type ?? '');

  const endpoints = inner.map((instance, i): EndpointConfig => {
    const url = (instance.value as { url?: unknown } | undefined)?.url;
    const real = typeof url === 'string' ? url : undefined;
    return {
      // Transports without a URL (webSocket, custom) get a stable placeholder id by position.
      url: real ?? `transport://${i}/${instance.config.key}`,
      label: endpointOptions[i]?.label ?? (real ? redactUrl(real) : `${instance.config.name} #${i}`),
      priority: endpointOptions[i]?.priority,
      weight: endpointOptions[i]?.weight,
    };
  });
  let indexOf = new Map<string, number>();
  const core = createFailover({
    defaultLagTolerance: 2,
    ...tuning,
    endpoints,
    protocols: ['http:', 'https:', 'transport:'],
    probe: evmProbe({ requestOf: (endpoint) => inner[indexOf.get(endpoint.id)!]!.request }),
    network: { expected: () => (expectedChainId === undefined ? undefined : chainNetwork(expectedChainId)) },
    classifier: evmClassifier,
  });
  // eth_subscribe gets the deadline of a call (createFailover has validated the tuning).
  const { timeoutMs } = resolveTuning(tuning);
  // Probes start on a timer, after this line: they always find their transport.
  indexOf = new Map(core.endpoints().map((endpoint, i) => [endpoint.id, i]));
  const subscriptions = new Set<FailoverSubscription>();
  let clientChain: Chain | undefined;
  const control: ViemFailover = failoverControl(core, {
    async close() {
      await Promise.all([...subscriptions].map((subscription) => subscription.stop()));
      await core.close();
    },
    updateEndpoints() {
      throw new ConfigError(
        'updateEndpoints',
        'the endpoints of a viem failover transport are its transports: create a new one',
      );
    },
  });

  // Inner http transports batch per signal: concurrent attempts on one endpoint share one.
  const sharedSignals = new SharedAttemptSignals();
  const requestFns = inner.map(attemptRequestOf);
  const send = (index: number, endpointId: string, args: never, signal: AbortSignal) => {
    const requestFn = requestFns[index]!;
    return BATCHING_TYPES.has(inner[index]!.config.type)
      ? sharedSignals.run(endpointId, signal, (shared) => requestFn(args, { signal: shared }))
      : requestFn(args, { signal });
  };

  const request: EIP1193RequestFn = async ({ method, params }, options) => {
    const kind = callKindOf(method);
    const result = await core.call(
      async ({ endpoint, signal }: AttemptContext) => {
        try {
          return await send(indexOf.get(endpoint.id)!, endpoint.id, { method, params } as never, signal);
        } catch (error) {
          if (kind !== 'idempotent-write') throw error;
          // The node already has this exact transaction (our own repeat, or the caller's): it is sent.
          const index = indexOf.get(endpoint.id)!;
          const sent = await alreadySent(
            error,
            method,
            (params as readonly unknown[] | undefined)?.[0],
            (args) => send(index, endpoint.id, args as never, signal),
          );
          if (sent === undefined) throw error;
          return sent;
        }
      },
      {
        kind,
        method,
        signal: options?.signal,
        classifier: headReader(method, params),
      },
    );
    return result as never;
  };

  /** `eth_subscribe` through failover: viem uses it for watches with `poll: false`. */
  const subscribe = async (parameters: SubscribeParameters) => {
    if (core.closed) throw new ConfigError('transport', 'this failover transport is closed');
    const subscription = new FailoverSubscription(
      {
        control,
        instanceOf: (endpoint) => inner[indexOf.get(endpoint.id)!]!,
        read: (method, params) => request({ method, params } as never),
        stallMs: config.subscriptionStallMs ?? 3 * (clientChain?.blockTime ?? DEFAULT_BLOCK_TIME_MS),
        timeoutMs,
        logger: config.logger ?? consoleLogger,
      },
      parameters,
    );
    // Tracked while it starts too: close() must stop a subscription still looking for an endpoint.
    subscriptions.add(subscription);
    try {
      await subscription.start();
    } catch (error) {
      subscriptions.delete(subscription);
      throw error;
    }
    return {
      subscriptionId: subscription.id,
      unsubscribe: async () => {
        subscriptions.delete(subscription);
        await subscription.stop();
        return true;
      },
    };
  };

  const factory = (({ chain, retryCount }: { chain?: Chain; retryCount?: number }) => {
    clientChain ??= chain;
    expectedChainId ??= chain?.id;
    return createTransport(
      {
        key,
        name,
        type: subscribesFirst ? 'webSocket' : 'failover',
        request,
        // Passed through from an enclosing fallback (which sets 0), so retries never nest.
        retryCount: config.retryCount ?? retryCount ?? 0,
      } satisfies TransportConfig<'failover' | 'webSocket'>,
      { failover: control, subscribe, transports: inner },
    );
  }) as FailoverTransport<transports>;
  Object.defineProperty(factory, 'failover', { value: control, enumerable: true });
  return factory;
}
