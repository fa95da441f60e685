import { parseArgs } from 'node:util';
import { DEMO_CHAIN_NAMES } from './DemoChain.js';

/** The parts the demo can run: failover on a chain's RPC nodes, or beacon head streams. */
export const DEMO_PART_NAMES = [...DEMO_CHAIN_NAMES, 'beacon'] as const;
/** A part of the demo: `soroban` and `evm` route calls through failover, `beacon` watches head streams. */
export type DemoPartName = (typeof DEMO_PART_NAMES)[number];

/** One part of a demo run, and how long it runs. */
export interface DemoPart {
  chain: DemoPartName;
  durationMs: number;
}

/** What the command line asked for. `usage-error` ends with exit code 2. */
export type Command =
  | { name: 'help' }
  | {
      name: 'demo';
      /** The parts to run, one after the other: Soroban then beacon unless `--chain` names one. */
      parts: DemoPart[];
      probeIntervalMs: number;
      /** Worker processes sharing one state file (Soroban only); undefined for the single-process demo. */
      workers: number | undefined;
    }
  | { name: 'usage-error'; message: string };

/** Default length of the demo: long enough for every fault step to play out and recover. */
export const DEFAULT_DEMO_SECONDS = 30;
/** Default length of the beacon part: forty half-second slots fit its faults and their recovery. */
export const DEFAULT_BEACON_DEMO_SECONDS = 20;
/** Default probe interval of the demo: faster than the library's 1 s so the table moves visibly. */
export const DEFAULT_DEMO_PROBE_INTERVAL_MS = 400;
/** Most worker processes of `demo --workers`: beyond that a small machine measures its own CPU, not the library. */
export const MAX_DEMO_WORKERS = 16;

/** The text of `switchyard help`. */
export const HELP = `Usage: switchyard <command> [options]

Commands:
  demo    Simulated nodes with faults injected on a timeline: RPC failover
          (Soroban or EVM) with a live table of endpoint health and routing,
          then beacon head streams with a live table of each node's stream;
          a summary after each part
  watch   The same view for real endpoints (not yet available)
  help    Show this help

Demo options:
  --chain <name>         Run one part only. soroban: Soroban RPC nodes, an
                         rpc.Server wrapped with withFailover; evm: EVM nodes,
                         a viem client on the failover transport; beacon:
                         beacon nodes, one head stream each through
                         createBeaconHeadMonitor (default: soroban, then beacon)
  --duration <seconds>   How long each part runs; fractions allowed (default
                         ${DEFAULT_DEMO_SECONDS} for soroban and evm, ${DEFAULT_BEACON_DEMO_SECONDS} for beacon)
  --interval-ms <n>      Background probe interval in ms (default ${DEFAULT_DEMO_PROBE_INTERVAL_MS})
  --workers <n>          Run the traffic in n worker processes (1-${MAX_DEMO_WORKERS}) that share
                         endpoint health through one FileStateStore file, and
                         show the probes per interval the nodes receive in all
                         (default: one process, no shared store; Soroban
                         only: runs without the beacon part)
  -h, --help             Show this help

Exit code: 0 when the demo ran (also with failed calls: the summary counts
them), 1 when it could not run or a worker process crashed, 2 for a bad
command line, 130 after Ctrl-C.

Examples:
  switchyard demo
  switchyard demo --chain evm             # the failover part through viem
  switchyard demo --chain beacon          # the beacon head streams only
  switchyard demo --duration 10 | cat     # plain lines, no live table
  switchyard demo --workers 3             # three processes sharing probes
`;

const DEMO_OPTIONS = {
  chain: { type: 'string' },
  duration: { type: 'string' },
  'interval-ms': { type: 'string' },
  workers: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Reads the command line (without `node` and the script path). Never throws: a bad command
 * line becomes a `usage-error` whose message names the problem.
 *
 * @example
 * parseCommand(['demo']); // { name: 'demo', parts: [{ chain: 'soroban', durationMs: 30000 }, { chain: 'beacon', durationMs: 20000 }], probeIntervalMs: 400, workers: undefined }
 * parseCommand(['demo', '--chain', 'evm', '--duration', '6']); // { name: 'demo', parts: [{ chain: 'evm', durationMs: 6000 }], probeIntervalMs: 400, workers: undefined }
 * parseCommand(['demo', '--workers', '3']); // { name: 'demo', parts: [{ chain: 'soroban', durationMs: 30000 }], probeIntervalMs: 400, workers: 3 }
 * parseCommand(['demo', '--fast']); // { name: 'usage-error', message: "Unknown option '--fast'" }
 */
export function parseCommand(argv: readonly string[]): Command {
  const [name, ...rest] = argv;
  switch (name) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return { name: 'help' };
    case 'demo':
      return parseDemo(rest);
    case 'watch':
      return { name: 'usage-error', message: "'watch' is not yet available; try 'switchyard demo'" };
    default:
      return { name: 'usage-error', message: `unknown command '${name}'` };
  }
}

function parseDemo(args: string[]): Command {
  let values: { chain?: string; duration?: string; 'interval-ms'?: string; workers?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args, options: DEMO_OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    // Node's own messages name the option and say what is wrong; some span several lines.
    return { name: 'usage-error', message: String((error as Error).message).replace(/\s*\n\s*/g, ' ') };
  }
  if (values.help) return { name: 'help' };
  const duration = positiveNumber('--duration', values.duration, undefined);
  if (typeof duration === 'string') return { name: 'usage-error', message: duration };
  const interval = positiveNumber('--interval-ms', values['interval-ms'], DEFAULT_DEMO_PROBE_INTERVAL_MS);
  if (typeof interval === 'string') return { name: 'usage-error', message: interval };
  const workers = workerCount(values.workers);
  if (typeof workers === 'string') return { name: 'usage-error', message: workers };
  const chain =
    values.chain === undefined ? undefined : DEMO_PART_NAMES.find((name) => name === values.chain);
  if (values.chain !== undefined && chain === undefined) {
    return {
      name: 'usage-error',
      message: `--chain must be one of ${DEMO_PART_NAMES.join(', ')} (got '${values.chain}')`,
    };
  }
  // The worker processes wrap an rpc.Server: there is no EVM or beacon version of them (yet).
  if (workers !== undefined && chain !== undefined && chain !== 'soroban') {
    return {
      name: 'usage-error',
      message: `--workers runs the Soroban demo only; it cannot go with --chain ${chain}`,
    };
  }
  // No --chain: Soroban, then beacon; --workers asks for Soroban alone.
  const chains: DemoPartName[] = chain
    ? [chain]
    : workers === undefined
      ? ['soroban', 'beacon']
      : ['soroban'];
  const parts = chains.map((name) => ({
    chain: name,
    durationMs: (duration ?? (name === 'beacon' ? DEFAULT_BEACON_DEMO_SECONDS : DEFAULT_DEMO_SECONDS)) * 1000,
  }));
  return { name: 'demo', parts, probeIntervalMs: interval, workers };
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
