import { parseArgs } from 'node:util';
import { type HelpCommand, parseArgsError, type UsageError, usageError } from '../commandLine.js';
import { parseWebAddress, type WebAddress } from '../web/webAddress.js';
import { DEMO_CHAIN_NAMES, DEMO_NODE_SOURCES, type DemoNodeSource } from './DemoChain.js';
import {
  DEFAULT_BEACON_DEMO_SECONDS,
  DEFAULT_DEMO_PROBE_INTERVAL_MS,
  DEFAULT_DEMO_SECONDS,
  MAX_DEMO_WORKERS,
} from './demoDefaults.js';

/** The parts the demo can run: failover on a chain's RPC nodes, or beacon head streams. */
export const DEMO_PART_NAMES = [...DEMO_CHAIN_NAMES, 'beacon'] as const;
/** A part of the demo: `soroban` and `evm` route calls through failover, `beacon` watches head streams. */
export type DemoPartName = (typeof DEMO_PART_NAMES)[number];

/** One part of a demo run, and how long it runs. */
export interface DemoPart {
  chain: DemoPartName;
  durationMs: number;
  /** Set to `anvil` for real anvil nodes (`--chain evm --nodes anvil`); simulated nodes when absent. */
  nodes?: DemoNodeSource;
}

/** What `switchyard demo` was asked to run. */
export interface DemoCommand {
  name: 'demo';
  /** The parts to run, one after the other: Soroban then beacon unless `--chain` names one. */
  parts: DemoPart[];
  probeIntervalMs: number;
  /** Worker processes sharing one state file (Soroban only); undefined for the single-process demo. */
  workers: number | undefined;
  /** Where to serve the status page of each part's instances (`--web [host:]port`); undefined: no page. */
  web: WebAddress | undefined;
}

/** The demo's part of `switchyard help`. */
export const DEMO_HELP = `Demo options:
  --chain <name>         Run one part only. soroban: Soroban RPC nodes, an
                         rpc.Server wrapped with withFailover; evm: EVM nodes,
                         a viem client on the failover transport; beacon:
                         beacon nodes, one head stream each through
                         createBeaconHeadMonitor (default: soroban, then beacon)
  --duration <seconds>   How long each part runs; fractions allowed (default
                         ${DEFAULT_DEMO_SECONDS} for soroban and evm, ${DEFAULT_BEACON_DEMO_SECONDS} for beacon)
  --nodes <source>       With --chain evm: simulated (default) or anvil: three
                         real anvil processes, frozen (SIGSTOP), killed and
                         restarted, head stalled; needs the npm package
                         @foundry-rs/anvil (or ANVIL=/path/to/anvil)
  --interval-ms <n>      Background probe interval in ms (default ${DEFAULT_DEMO_PROBE_INTERVAL_MS})
  --workers <n>          Run the traffic in n worker processes (1-${MAX_DEMO_WORKERS}) that share
                         endpoint health through one FileStateStore file, and
                         show the probes per interval the nodes receive in all
                         (default: one process, no shared store; Soroban
                         only: runs without the beacon part)
  --web <[host:]port>    Serve the status page (switchyard-rpc/dashboard) of
                         each part's failover or monitor at
                         http://<host>:<port>/, live in a browser; host
                         defaults to 127.0.0.1, port 0 picks a free one.
                         Not with --workers
  -h, --help             Show this help

Demo exit code: 0 when the demo ran (also with failed calls: the summary
counts them), 1 when it could not run or a worker process crashed, 2 for a
bad command line, 130 after Ctrl-C.
`;

/** The demo's lines of the examples in `switchyard help`. */
export const DEMO_EXAMPLES = `  switchyard demo
  switchyard demo --chain evm             # the failover part through viem
  switchyard demo --chain evm --nodes anvil   # the same on real anvil nodes
  switchyard demo --chain beacon          # the beacon head streams only
  switchyard demo --duration 10 | cat     # plain lines, no live table
  switchyard demo --workers 3             # three processes sharing probes
  switchyard demo --web 127.0.0.1:8080    # live in a browser at that address
`;

const DEMO_OPTIONS = {
  chain: { type: 'string' },
  nodes: { type: 'string' },
  duration: { type: 'string' },
  'interval-ms': { type: 'string' },
  workers: { type: 'string' },
  web: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Reads the arguments after `demo`. Never throws: a bad one becomes a usage error whose message
 * names the problem.
 *
 * @example
 * parseDemoCommand([]); // { name: 'demo', parts: [{ chain: 'soroban', durationMs: 30000 }, { chain: 'beacon', durationMs: 20000 }], probeIntervalMs: 400, workers: undefined, web: undefined }
 * parseDemoCommand(['--chain', 'evm', '--duration', '6']); // { name: 'demo', parts: [{ chain: 'evm', durationMs: 6000 }], probeIntervalMs: 400, workers: undefined, web: undefined }
 * parseDemoCommand(['--chain', 'evm', '--nodes', 'anvil']); // { name: 'demo', parts: [{ chain: 'evm', durationMs: 30000, nodes: 'anvil' }], probeIntervalMs: 400, workers: undefined, web: undefined }
 * parseDemoCommand(['--workers', '3']); // { name: 'demo', parts: [{ chain: 'soroban', durationMs: 30000 }], probeIntervalMs: 400, workers: 3, web: undefined }
 * parseDemoCommand(['--fast']); // { name: 'usage-error', message: "Unknown option '--fast'" }
 */
export function parseDemoCommand(args: readonly string[]): DemoCommand | HelpCommand | UsageError {
  let values: {
    chain?: string;
    nodes?: string;
    duration?: string;
    'interval-ms'?: string;
    workers?: string;
    web?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: DEMO_OPTIONS,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return parseArgsError(error);
  }
  if (values.help) return { name: 'help' };
  const duration = positiveNumber('--duration', values.duration, undefined);
  if (typeof duration === 'string') return usageError(duration);
  const interval = positiveNumber('--interval-ms', values['interval-ms'], DEFAULT_DEMO_PROBE_INTERVAL_MS);
  if (typeof interval === 'string') return usageError(interval);
  const workers = workerCount(values.workers);
  if (typeof workers === 'string') return usageError(workers);
  const chain =
    values.chain === undefined ? undefined : DEMO_PART_NAMES.find((name) => name === values.chain);
  if (values.chain !== undefined && chain === undefined) {
    return usageError(`--chain must be one of ${DEMO_PART_NAMES.join(', ')} (got '${values.chain}')`);
  }
  // The worker processes wrap an rpc.Server: there is no EVM or beacon version of them (yet).
  if (workers !== undefined && chain !== undefined && chain !== 'soroban') {
    return usageError(`--workers runs the Soroban demo only; it cannot go with --chain ${chain}`);
  }
  const web = parseWebAddress(values.web);
  if (typeof web === 'string') return usageError(web);
  // The failover instances of --workers live in the worker processes: the parent has none to show.
  if (web !== undefined && workers !== undefined) {
    return usageError('--web is not available with --workers: each worker process has its own failover');
  }
  const nodes = nodeSource(values.nodes, chain);
  if (typeof nodes === 'object') return nodes;
  // No --chain: Soroban, then beacon; --workers asks for Soroban alone.
  const chains: DemoPartName[] = chain
    ? [chain]
    : workers === undefined
      ? ['soroban', 'beacon']
      : ['soroban'];
  const parts = chains.map((name) => ({
    chain: name,
    durationMs: (duration ?? (name === 'beacon' ? DEFAULT_BEACON_DEMO_SECONDS : DEFAULT_DEMO_SECONDS)) * 1000,
    ...(nodes === 'anvil' && { nodes }),
  }));
  return { name: 'demo', parts, probeIntervalMs: interval, workers, web };
}

/** Where the nodes come from (undefined when not asked for), or a usage error. */
function nodeSource(
  text: string | undefined,
  chain: DemoPartName | undefined,
): DemoNodeSource | undefined | UsageError {
  if (text === undefined) return undefined;
  const source = DEMO_NODE_SOURCES.find((name) => name === text);
  if (source === undefined) {
    return usageError(`--nodes must be one of ${DEMO_NODE_SOURCES.join(', ')} (got '${text}')`);
  }
  // Only the EVM demo has real nodes it can start: anvil.
  if (source === 'anvil' && chain !== 'evm') return usageError('--nodes anvil goes with --chain evm only');
  return source;
}

/** The worker count (undefined when not asked for), or a message saying what is wrong with it. */
function workerCount(text: string | undefined): number | undefined | string {
  if (text === undefined) return undefined;
  const value = Number(text);
  return /^\s*\d+\s*$/.test(text) && value >= 1 && value <= MAX_DEMO_WORKERS
    ? value
    : `--workers must be a whole number from 1 to ${MAX_DEMO_WORKERS} (got '${text}')`;
}

/** The number (`fallback` when not given), or a message saying what is wrong with it. */
function positiveNumber<F extends number | undefined>(
  flag: string,
  text: string | undefined,
  fallback: F,
): number | F | string {
  if (text === undefined) return fallback;
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) && value > 0
    ? value
    : `${flag} must be a positive number (got '${text}')`;
}
