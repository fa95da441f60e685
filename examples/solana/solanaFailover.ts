import {
  type CallKind,
  type CallOptions,
  ConfigError,
  createFailover,
  type EndpointInput,
  type FailoverConfig,
  type FailoverControl,
  failoverControl,
} from 'switchyard-rpc';
import { isAlreadyProcessed, solanaClassifier } from './solanaClassifier.js';
import { type Commitment, isGenesisHash, solanaProbe } from './solanaProbe.js';
import { jsonRpcBody, postJsonRpc } from './solanaRpc.js';
import { decodeWireTransaction, transactionSignature } from './transactionSignature.js';

/** Options of {@link createSolanaFailover}: the core's options plus Solana's own. */
export interface SolanaFailoverConfig extends FailoverConfig {
  /** Solana RPC endpoints, best-known first. Strings or `{ url, label, headers, priority, weight }`. */
  endpoints: readonly EndpointInput[];
  /**
   * Commitment at which heads are compared: the probe's `getSlot`, and the `context.slot` of
   * answers to calls made at this commitment. Answers at another commitment never feed lag
   * detection (a `confirmed` slot is ~30 slots ahead of a `finalized` one on the same node).
   * @default 'finalized' (what a Solana node uses when a call names none)
   */
  commitment?: Commitment;
  /** Slots a node may trail the others before it is lagging. @default 10 */
  lagTolerance?: number;
  /**
   * The cluster's genesis hash (`getGenesisHash`; mainnet-beta's is
   * `5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d`). A node of another cluster is `down` with the reason
   * `wrong network: …, expected …` and never used, until it serves this cluster again.
   * @default the hash most endpoints answer (ties: the earlier endpoint's)
   */
  genesisHash?: string;
}

/** Options of one {@link SolanaFailover.request}. */
export interface SolanaRequestOptions {
  /** Aborts the call; it rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Deadline of this call, all attempts included. @default the instance's `timeoutMs` */
  timeoutMs?: number;
  /** How the call may be repeated. @default by method: see {@link solanaCallKind} */
  kind?: CallKind;
}

/** The failover control: status, events, endpoint updates, close. */
export type SolanaFailoverControl = FailoverControl;

/** A Solana JSON-RPC client routed to the best endpoint. */
export interface SolanaFailover {
  /**
   * Sends one JSON-RPC request and resolves with its `result` (typed `T` unchecked). Rejects with
   * the node's `SolanaRpcError` when the request itself is wrong, `AllEndpointsFailedError`,
   * `TimeoutError` or `ClosedError` (from `switchyard-rpc`) otherwise.
   */
  request<T = unknown>(
    method: string,
    params?: readonly unknown[],
    options?: SolanaRequestOptions,
  ): Promise<T>;
  readonly failover: SolanaFailoverControl;
}

// Slots are ~400 ms and healthy nodes differ by a few; 10 slots is ~4 s behind.
const DEFAULT_LAG_TOLERANCE_SLOTS = 10;
// What a Solana node uses for a call that names no commitment.
const RPC_DEFAULT_COMMITMENT: Commitment = 'finalized';
const COMMITMENTS: readonly string[] = ['processed', 'confirmed', 'finalized'];

/**
 * How a Solana method may be repeated on another node:
 * - `sendTransaction` is `idempotent-write`: the same signed bytes have the same signature, and the
 *   runtime processes a signature at most once, so a repeat cannot pay twice.
 * - `requestAirdrop` is `write`: each call builds a new transaction, so a repeat is a second airdrop.
 * - everything else is a `read`.
 *
 * @example
 * solanaCallKind('sendTransaction') // 'idempotent-write'
 */
export function solanaCallKind(method: string): CallKind {
  if (method === 'sendTransaction') return 'idempotent-write';
  if (method === 'requestAirdrop') return 'write';
  return 'read';
}

/**
 * Proactive failover across Solana RPC endpoints, built only from `switchyard-rpc`'s public API:
 * a probe (`getHealth` + `getSlot`, and `getGenesisHash` as the node's network), a classifier
 * (Solana's error codes, `context.slot` as the head of an answer) and `failover.call` around a plain
 * `fetch`.
 *
 * @example
 * import { createSolanaFailover } from './solanaFailover.js';
 *
 * const solana = createSolanaFailover({
 *   endpoints: ['https://api.mainnet-beta.solana.com', { url: 'https://paid.example/KEY', label: 'paid', priority: 1 }],
 *   commitment: 'confirmed',
 * });
 * const { value: lamports } = await solana.request<{ value: number }>('getBalance', [pubkey, { commitment: 'confirmed' }]);
 * const signature = await solana.request<string>('sendTransaction', [base64Tx, { encoding: 'base64' }]);
 * solana.failover.on('endpoint-degraded', (e) => console.warn(e.endpoint.label, e.state, e.reason));
 * await solana.failover.close();
 */
export function createSolanaFailover(config: SolanaFailoverConfig): SolanaFailover {
  const commitment = config.commitment ?? RPC_DEFAULT_COMMITMENT;
  if (!COMMITMENTS.includes(commitment)) {
    throw new ConfigError(
      'commitment',
      `must be one of ${COMMITMENTS.join(', ')} (got ${String(commitment)})`,
    );
  }
  const { genesisHash, ...rest } = config;
  if (genesisHash !== undefined && !isGenesisHash(genesisHash)) {
    throw new ConfigError('genesisHash', 'must be a 32-byte hash in base58, as getGenesisHash answers');
  }
  const failover = createFailover({
    defaultLagTolerance: DEFAULT_LAG_TOLERANCE_SLOTS,
    ...rest,
    probe: solanaProbe({ commitment }),
    // The probe names each node's cluster (network()): the one given, else the one most nodes serve.
    network: { expected: genesisHash },
    classifier: solanaClassifier(),
  });

  // A slot at another commitment is not comparable with the probes' heads: ignore it for lag.
  const noHead: CallOptions['classifier'] = { headOf: () => undefined };

  async function request<T>(
    method: string,
    params?: readonly unknown[],
    options: SolanaRequestOptions = {},
  ): Promise<T> {
    const body = jsonRpcBody(method, params);
    const signature = method === 'sendTransaction' ? signatureOf(params) : undefined;
    return failover.call<T>(
      async (context) => {
        try {
          return await postJsonRpc<T>(context.endpoint, body, context.signal);
        } catch (error) {
          // Our own repeat found the transaction already in the ledger: an earlier attempt
          // landed it. To the caller, who sent once, that is success.
          if (context.attempt > 0 && signature !== undefined && isAlreadyProcessed(error)) {
            return signature as T;
          }
          throw error;
        }
      },
      {
        kind: options.kind ?? solanaCallKind(method),
        signal: options.signal,
        timeoutMs: options.timeoutMs,
        classifier: commitmentOf(params) === commitment ? undefined : noHead,
      },
    );
  }

  return { request, failover: failoverControl(failover) };
}

/** The commitment a call asks for: its config object's, else the node's default. */
function commitmentOf(params: readonly unknown[] | undefined): Commitment {
  const config = params?.at(-1);
  const named = (config as { commitment?: unknown } | null | undefined)?.commitment;
  return typeof named === 'string' && COMMITMENTS.includes(named)
    ? (named as Commitment)
    : RPC_DEFAULT_COMMITMENT;
}

/** The signature of `sendTransaction`'s transaction, when its params hold a signed one. */
function signatureOf(params: readonly unknown[] | undefined): string | undefined {
  const [wire, config] = params ?? [];
  if (typeof wire !== 'string') return undefined;
  const encoding =
    (config as { encoding?: unknown } | undefined)?.encoding === 'base64' ? 'base64' : 'base58';
  const bytes = decodeWireTransaction(wire, encoding);
  return bytes && transactionSignature(bytes);
}
