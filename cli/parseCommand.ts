import { parseArgs } from 'node:util';

/** What the command line asked for. `usage-error` ends with exit code 2. */
export type Command =
  | { name: 'help' }
  | { name: 'demo'; durationMs: number; probeIntervalMs: number }
  | { name: 'usage-error'; message: string };

/** Default length of the demo: long enough for every fault step to play out and recover. */
export const DEFAULT_DEMO_SECONDS = 30;
/** Default probe interval of the demo: faster than the library's 1 s so the table moves visibly. */
export const DEFAULT_DEMO_PROBE_INTERVAL_MS = 400;

/** The text of `switchyard help`. */
export const HELP = `Usage: switchyard <command> [options]

Commands:
  demo    Simulated Soroban RPC nodes, faults injected on a timeline, a live
          table of endpoint health and routing, and a summary at the end
  watch   The same view for real endpoints (not yet available)
  help    Show this help

Demo options:
  --duration <seconds>   How long the demo runs; fractions allowed (default ${DEFAULT_DEMO_SECONDS})
  --interval-ms <n>      Background probe interval in ms (default ${DEFAULT_DEMO_PROBE_INTERVAL_MS})
  -h, --help             Show this help

Examples:
  switchyard demo
  switchyard demo --duration 10 | cat     # plain lines, no live table
`;

const DEMO_OPTIONS = {
  duration: { type: 'string' },
  'interval-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Reads the command line (without `node` and the script path). Never throws: a bad command
 * line becomes a `usage-error` whose message names the problem.
 *
 * @example
 * parseCommand(['demo', '--duration', '6']); // { name: 'demo', durationMs: 6000, probeIntervalMs: 400 }
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
  let values: { duration?: string; 'interval-ms'?: string; help?: boolean };
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
  return { name: 'demo', durationMs: duration * 1000, probeIntervalMs: interval };
}

/** The number, or a message saying what is wrong with it. */
function positiveNumber(flag: string, text: string | undefined, fallback: number): number | string {
  if (text === undefined) return fallback;
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) && value > 0
    ? value
    : `${flag} must be a positive number (got '${text}')`;
}
