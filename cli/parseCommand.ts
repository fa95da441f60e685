import { parseArgs } from 'node:util';
import { DEMO_CHAIN_NAMES, type DemoChainName } from './DemoChain.js';

/** What the command line asked for. `usage-error` ends with exit code 2. */
export type Command =
  | { name: 'help' }
  | {
      name: 'demo';
      /** The simulated chain. */
      chain: DemoChainName;
      durationMs: number;
      probeIntervalMs: number;
      /** Worker processes sharing one state file (Soroban only); undefined for the single-process demo. */
      workers: number | undefined;
    }
  | { name: 'usage-error'; message: string };

/** Default length of the demo: long enough for every fault step to play out and recover. */
export const DEFAULT_DEMO_SECONDS = 30;
/** Default probe interval of the demo: faster than the library's 1 s so the table moves visibly. */
export const DEFAULT_DEMO_PROBE_INTERVAL_MS = 400;
/** Most worker processes of `demo --workers`: beyond that a small machine measures its own CPU, not the library. */
export const MAX_DEMO_WORKERS = 16;

/** The text of `switchyard help`. */
export const HELP = `Usage: switchyard <command> [options]

Commands:
  demo    Simulated RPC nodes (Soroban or EVM), faults injected on a timeline,
          a live table of endpoint health and routing, and a summary at the end
  watch   The same view for real endpoints (not yet available)
  help    Show this help

Demo options:
  --chain <name>         soroban: Soroban RPC nodes, an rpc.Server wrapped
                         with withFailover (default); evm: EVM nodes, a viem
                         client on the failover transport
  --duration <seconds>   How long the demo runs; fractions allowed (default ${DEFAULT_DEMO_SECONDS})
  --interval-ms <n>      Background probe interval in ms (default ${DEFAULT_DEMO_PROBE_INTERVAL_MS})
  --workers <n>          Run the traffic in n worker processes (1-${MAX_DEMO_WORKERS}) that share
                         endpoint health through one FileStateStore file, and
                         show the probes per interval the nodes receive in all
                         (default: one process, no shared store; Soroban only)
  -h, --help             Show this help

Exit code: 0 when the demo ran (also with failed calls: the summary counts
them), 1 when it could not run or a worker process crashed, 2 for a bad
command line, 130 after Ctrl-C.

Examples:
  switchyard demo
  switchyard demo --chain evm             # the same through viem
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
 * parseCommand(['demo', '--duration', '6']); // { name: 'demo', chain: 'soroban', durationMs: 6000, probeIntervalMs: 400, workers: undefined }
 * parseCommand(['demo', '--chain', 'evm']); // { name: 'demo', chain: 'evm', durationMs: 30000, probeIntervalMs: 400, workers: undefined }
 * parseCommand(['demo', '--workers', '3']); // { name: 'demo', chain: 'soroban', durationMs: 30000, probeIntervalMs: 400, workers: 3 }
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
  const duration = positiveNumber('--duration', values.duration, DEFAULT_DEMO_SECONDS);
  if (typeof duration === 'string') return { name: 'usage-error', message: duration };
  const interval = positiveNumber('--interval-ms', values['interval-ms'], DEFAULT_DEMO_PROBE_INTERVAL_MS);
  if (typeof interval === 'string') return { name: 'usage-error', message: interval };
  const workers = workerCount(values.workers);
  if (typeof workers === 'string') return { name: 'usage-error', message: workers };
  const chain = chainName(values.chain);
  if (chain === undefined) {
    return {
      name: 'usage-error',
      message: `--chain must be one of ${DEMO_CHAIN_NAMES.join(', ')} (got '${values.chain}')`,
    };
  }
  // The worker processes wrap an rpc.Server: there is no EVM version of them (yet).
  if (workers !== undefined && chain !== 'soroban') {
    return {
      name: 'usage-error',
      message: `--workers runs the Soroban demo only; it cannot go with --chain ${chain}`,
    };
  }
  return { name: 'demo', chain, durationMs: duration * 1000, probeIntervalMs: interval, workers };
}

/** The chain asked for (`soroban` when none was), or undefined when there is no such chain. */
function chainName(text: string | undefined): DemoChainName | undefined {
  if (text === undefined) return 'soroban';
  return DEMO_CHAIN_NAMES.find((name) => name === text);
}

/** The worker count (undefined when not asked for), or a message saying what is wrong with it. */
function workerCount(text: string | undefined): number | undefined | string {
  if (text === undefined) return undefined;
  const value = Number(text);
  return /^\s*\d+\s*$/.test(text) && value >= 1 && value <= MAX_DEMO_WORKERS
    ? value
    : `--workers must be a whole number from 1 to ${MAX_DEMO_WORKERS} (got '${text}')`;
}

/** The number, or a message saying what is wrong with it. */
function positiveNumber(flag: string, text: string | undefined, fallback: number): number | string {
  if (text === undefined) return fallback;
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) && value > 0
    ? value
    : `${flag} must be a positive number (got '${text}')`;
}
