import type { Endpoint } from './endpoint.js';
import type { HealthSnapshot, RouteRanking } from './health/snapshot.js';

/** Result of one active health check. */
export interface ProbeResult {
  /** The endpoint answered and says it can serve. */
  ok: boolean;
  /** Round-trip time of the check. */
  latencyMs: number;
  /** The endpoint's head (ledger, block, slot) if the check learned it. */
  head?: number | undefined;
  /** Short, credential-free reason when `ok` is false. */
  detail?: string | undefined;
  /** The endpoint rate-limited the probe (HTTP 429): rest it this long instead of marking it down. */
  retryAfterMs?: number | undefined;
}

/**
 * One cheap call that tells whether an endpoint can serve (Soroban `getHealth`,
 * EVM `eth_blockNumber`, beacon `/eth/v1/node/syncing`). Must honour `signal`.
 *
 * @example
 * const probe: HealthProbe = {
 *   async check(endpoint, signal) {
 *     const started = performance.now();
 *     const res = await fetch(endpoint.url, { signal });
 *     return { ok: res.ok, latencyMs: performance.now() - started };
 *   },
 * };
 */
export interface HealthProbe {
  check(endpoint: Endpoint, signal: AbortSignal): Promise<ProbeResult>;
  /**
   * Optional: names the network the endpoint serves (a Stellar passphrase, an EVM chain id, a genesis
   * hash). Asked at an endpoint's first probe and every few minutes after; an endpoint on another network
   * than the expected one is down with the reason `wrong network: ...` and is never routed to.
   */
  network?(endpoint: Endpoint, signal: AbortSignal): Promise<string>;
}

/**
 * Turns health into routing. Pure: no I/O, no timers. `rank` runs in the background each
 * time health changes; `plan` runs on the hot path for every call and must be cheap.
 */
export interface Router {
  /** Orders the usable endpoints, best first. `previous` allows hysteresis. */
  rank(health: HealthSnapshot['endpoints'], previous: RouteRanking | undefined): RouteRanking;
  /** The endpoints to try for one call, in order. */
  plan(ranking: RouteRanking): readonly Endpoint[];
}

/** What every head a {@link HeadStream} delivers must say: where it is in the chain and which block it is. */
export interface ChainHead {
  /** Position in the chain: slot, block number or ledger. */
  readonly slot: number;
  /** The block's id (root, hash). Two heads are the same head when slot and block match. */
  readonly block: string;
}

/** How a {@link HeadStream} tells its consumer about the connection, besides delivering heads. */
export interface HeadStreamHooks {
  /** The subscription was accepted (e.g. HTTP 200 on an SSE request). */
  onOpen(): void;
  /** Any sign of life that is not a head (a keep-alive, any bytes): it keeps the stall timer from firing. */
  onActivity(): void;
}

/**
 * A stream of heads from one endpoint (e.g. beacon SSE `head` events). The consumer owns
 * retries: an iterator that ends or throws means the stream is gone (throw a `StreamError` to
 * say why). Must honour `signal` and release the connection when it aborts.
 *
 * @example
 * const stream: HeadStream<ChainHead> = {
 *   async *open(endpoint, signal, hooks) {
 *     const socket = await connect(endpoint.url, { signal });
 *     hooks?.onOpen();
 *     for await (const message of socket) yield { slot: message.slot, block: message.hash };
 *   },
 * };
 */
export interface HeadStream<Head = ChainHead> {
  open(endpoint: Endpoint, signal: AbortSignal, hooks?: HeadStreamHooks): AsyncIterable<Head>;
}

/** One endpoint's health as shared between processes. Ids only: never URLs or credentials. */
export interface SharedEndpointRecord {
  /** The probe's verdict. */
  ok: boolean;
  /** The probe's round-trip time. */
  latencyMs: number;
  head?: number | undefined;
  /** Redacted reason of a failed probe. */
  detail?: string | undefined;
  /** The probe got no answer before its deadline. */
  timedOut?: boolean | undefined;
  /** Wall-clock epoch ms of the check. */
  checkedAt: number;
}

/** A probe lease: who probes an endpoint until when (epoch ms). */
export interface ProbeLease {
  owner: string;
  until: number;
}

/** Versioned state shared through a {@link StateStore}. */
export interface SharedState {
  version: 1;
  endpoints: Record<string, SharedEndpointRecord>;
  leases: Record<string, ProbeLease>;
}

/**
 * Shared health state and probe leases. `update` is an atomic read-modify-write: `fn`
 * receives the current state and returns the next one; concurrent updates (also from other
 * processes, for process-safe stores) are never lost.
 */
export interface StateStore {
  read(): Promise<SharedState>;
  update(fn: (state: SharedState) => SharedState): Promise<SharedState>;
  close(): Promise<void>;
  /**
   * Optional native lease (e.g. Redis `SET NX PX`): used instead of `update` when present. Takes endpoint
   * `id`'s probe lease for `leaseMs` unless another owner holds one.
   */
  claimProbe?(id: string, owner: string, leaseMs: number): Promise<LeaseDecision>;
  /** Optional native publication of a probe result (with `claimProbe`); also tells `onPublished` listeners. */
  publishProbe?(id: string, record: SharedEndpointRecord, owner: string): Promise<void>;
  /**
   * Optional push: `listener` hears every result published by any instance (the publisher's `owner`
   * included) as soon as it lands, instead of at the next read. Returns an unsubscribe.
   */
  onPublished?(listener: (id: string, record: SharedEndpointRecord, owner: string) => void): () => void;
}

/** The outcome of asking for an endpoint's probe lease. */
export type LeaseDecision =
  /** This owner holds the lease now: it probes and publishes. */
  | { kind: 'probe' }
  /** Another owner holds it: use what it published (undefined when nothing is known yet). */
  | { kind: 'shared'; record: SharedEndpointRecord | undefined };

/** Cancels a timer set with {@link Clock.setTimeout}. */
export type CancelTimer = () => void;

/** Time source. The default uses real time with `unref`'d timers; tests may inject a fake. */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Wall-clock epoch milliseconds: comparable between processes (probe leases). */
  wallNow(): number;
  /** Runs `fn` after `ms`. The timer must never keep the process alive. */
  setTimeout(fn: () => void, ms: number): CancelTimer;
}

/** A pino-compatible logger (any `{ debug, info, warn, error }` works, console included). */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}
