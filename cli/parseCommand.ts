import type { HelpCommand, UsageError } from './commandLine.js';
import { DEMO_EXAMPLES, DEMO_HELP, type DemoCommand, parseDemoCommand } from './demo/demoCommand.js';
import { parseWatchCommand, WATCH_EXAMPLES, WATCH_HELP, type WatchCommand } from './watch/watchCommand.js';

/** What the command line asked for. `usage-error` ends with exit code 2. */
export type Command = HelpCommand | DemoCommand | WatchCommand | UsageError;

/** The text of `switchyard help`: the commands, then each command's options, then examples. */
export const HELP = `Usage: switchyard <command> [options]

Commands:
  demo    Simulated nodes with faults injected on a timeline: RPC failover
          (Soroban or EVM) with a live table of endpoint health and routing,
          then beacon head streams with a live table of each node's stream;
          a summary after each part
  watch   The same live view for real endpoints: read-only health probes,
          no calls of yours, optionally a Prometheus /metrics endpoint
  help    Show this help

${DEMO_HELP}
${WATCH_HELP}
Examples:
${DEMO_EXAMPLES}${WATCH_EXAMPLES}`;

/**
 * Reads the command line (without `node` and the script path) and hands the arguments after the
 * command to that command's parser. Never throws: a bad command line becomes a `usage-error` whose
 * message names the problem.
 *
 * @example
 * parseCommand(['demo', '--chain', 'evm']); // { name: 'demo', parts: [{ chain: 'evm', durationMs: 30000 }], probeIntervalMs: 400, workers: undefined }
 * parseCommand(['deploy']); // { name: 'usage-error', message: "unknown command 'deploy'" }
 * parseCommand([]); // { name: 'help' }
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
      return parseDemoCommand(rest);
    case 'watch':
      return parseWatchCommand(rest);
    default:
      return { name: 'usage-error', message: `unknown command '${name}'` };
  }
}
