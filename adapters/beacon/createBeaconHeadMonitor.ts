import { type HeadStream, type HealthProbe, positiveOption } from '../../src/adapter.js';
import {
  ConfigError,
  createHeadMonitor,
  type EndpointInput,
  type HeadMonitor,
  type HeadMonitorConfig,
  type SlotTiming,
} from '../../src/index.js';
import { BeaconHttp } from './BeaconHttp.js';
import { type BeaconHead, parseHeadHeader, rootOf } from './beaconHead.js';
import { beaconProbe } from './beaconProbe.js';
import { readBeaconTiming } from './beaconTiming.js';
import { sseHeadStream } from './sseHeadStream.js';

/** A head monitor of beacon nodes: heads carry slot, block and state roots, and the delivering node. */
export type BeaconHeadMonitor = HeadMonitor<BeaconHead>;

export interface BeaconHeadMonitorOptions extends HeadMonitorConfig {
  /** Beacon node URLs (`http://bn:5052`), or `{ url, label, headers }`. May be empty and filled later. */
  candidates: readonly EndpointInput[];
  /** Genesis time, Unix seconds. Read from the first node that answers `/eth/v1/beacon/genesis` when absent. */
  genesisTime?: number;
  /** Slot length. Read from the first node that answers `/eth/v1/config/spec` when absent. */
  secondsPerSlot?: number;
  /** Slots per epoch, for heads re-read over REST (which do not say whether they start an epoch). @default from the spec, else 32 */
  slotsPerEpoch?: number;
  /** Silence, in slots, after which a stream is restarted. @default 1.5 */
  stallSlots?: number;
  /** Retry cycles with every node down before the `error` event. @default 5 */
  failedCyclesBeforeError?: number;
  /** Heads buffered per async iterator before the oldest is dropped (and counted). @default 64 */
  bufferSize?: number;
  /** Deadline of one REST read (head, genesis, spec). @default 5000 */
  requestTimeoutMs?: number;
  /** TCP connect deadline. @default 5000 */
  connectTimeoutMs?: number;
  /** Longest silence undici accepts on a response; a backstop behind the stall timer. @default 60000 */
  bodyTimeoutMs?: number;
  /** Replaces the SSE stream (tests, other transports). @default SSE over `eventsource` + undici */
  stream?: HeadStream<BeaconHead>;
  /**
   * The chain's `genesis_validators_root` (`0x` and 64 hex digits; mainnet's is `0x4b363db9…`). A node that
   * serves another is `down` (`wrong network: 0x…, expected 0x…`) and never used: not for `head`,
   * `latest()`, `isLatest()` or `best()`; it is asked again at every probe, so it is back once fixed.
   * @default the root most nodes serve (ties: the earlier node's in `candidates`)
   */
  genesisValidatorsRoot?: string;
  /**
   * Replaces the health probe behind `best()`. Its own `network()`, if any, names each node's network.
   * @default `GET /eth/v1/node/syncing`, network from `GET /eth/v1/beacon/genesis`
   */
  probe?: HealthProbe;
}

/**
 * Watches beacon nodes' `head` events, one independent, self-healing SSE stream per node. A failed
 * stream is retried at once, then after 250 ms doubling up to a second (or a slot, if shorter), while
 * the others keep running: a node that comes back streams again within about a second. After a
 * reconnect the node's head is re-read over REST, since SSE does not replay what was missed.
 * A stream silent for 1.5 slots, or sending malformed data or an unexpected event, is restarted
 * (one warning per stream per slot). Heads are announced once per (slot, block): the first node wins.
 * A node on another chain (its `genesis_validators_root` is not `genesisValidatorsRoot`, else not most
 * nodes') is never used, and a head for a slot that has not begun by the chain's clock is refused.
 *
 * @example
 * import { createBeaconHeadMonitor } from 'switchyard-rpc/beacon';
 *
 * const monitor = createBeaconHeadMonitor({
 *   candidates: ['http://bn1:5052', { url: 'https://bn2.example', label: 'backup', headers: { 'X-Api-Key': key } }],
 *   genesisValidatorsRoot: '0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95', // mainnet
 * });
 * monitor.on('head', (head) => console.log(head.slot, head.block, 'first from', head.endpoint.label));
 * monitor.isLatest('backup');          // is that node at the newest head?
 * for await (const head of monitor) {} // or iterate
 * await monitor.close();
 */
export function createBeaconHeadMonitor(options: BeaconHeadMonitorOptions): BeaconHeadMonitor {
  const given = options.genesisTime !== undefined || options.secondsPerSlot !== undefined;
  const genesisValidatorsRoot = rootOption(options.genesisValidatorsRoot, options.probe);
  let slotsPerEpoch = positiveOption('slotsPerEpoch', options.slotsPerEpoch, 32, true);
  const http = new BeaconHttp({
    connectTimeoutMs: positiveOption('connectTimeoutMs', options.connectTimeoutMs, 5000),
    bodyTimeoutMs: positiveOption('bodyTimeoutMs', options.bodyTimeoutMs, 60_000),
  });
  try {
    return createHeadMonitor<BeaconHead>({
      ...options,
      stream: options.stream ?? sseHeadStream(http),
      probe: options.probe ?? beaconProbe(http),
      network: { expected: genesisValidatorsRoot, reference: 'majority' },
      defaultLagTolerance: 2,
      timing: given ? timingOf(options.genesisTime, options.secondsPerSlot) : undefined,
      readHead: async (endpoint, signal) =>
        parseHeadHeader(await http.getJson(endpoint, 'eth/v1/beacon/headers/head', signal), slotsPerEpoch),
      discoverTiming: async (endpoint, signal) => {
        const timing = await readBeaconTiming(http, endpoint, signal);
        if (options.slotsPerEpoch === undefined) slotsPerEpoch = timing.slotsPerEpoch;
        return timing;
      },
      onClose: () => http.close(),
    });
  } catch (error) {
    void http.close();
    throw error;
  }
}

/** The expected root, lower case as nodes' roots are read. @throws {ConfigError} naming `genesisValidatorsRoot`. */
function rootOption(root: string | undefined, probe: HealthProbe | undefined): string | undefined {
  if (root === undefined) return undefined;
  let expected: string;
  try {
    expected = rootOf(root, 'genesisValidatorsRoot');
  } catch {
    throw new ConfigError('genesisValidatorsRoot', 'must be 0x and 64 hex digits (32 bytes)');
  }
  // A probe without network() could not check it: silently ignoring the root would be worse.
  if (typeof probe === 'object' && probe !== null && typeof probe.network !== 'function')
    throw new ConfigError(
      'genesisValidatorsRoot',
      'is checked by the probe, and the given probe has no network()',
    );
  return expected;
}

function timingOf(genesisTime: number | undefined, secondsPerSlot: number | undefined): SlotTiming {
  if (genesisTime === undefined || secondsPerSlot === undefined)
    throw new ConfigError(
      genesisTime === undefined ? 'genesisTime' : 'secondsPerSlot',
      'must be given together with the other',
    );
  if (typeof genesisTime !== 'number' || !Number.isFinite(genesisTime) || genesisTime < 0)
    throw new ConfigError('genesisTime', `must be Unix seconds (got ${String(genesisTime)})`);
  return {
    genesisTimeMs: genesisTime * 1000,
    slotMs: positiveOption('secondsPerSlot', secondsPerSlot, 0) * 1000,
  };
}
