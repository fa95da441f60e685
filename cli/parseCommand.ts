import { parseArgs } from 'node:util';
import { redactUrl } from '../src/endpoint.js';
import { DEMO_CHAIN_NAMES } from './demo/DemoChain.js';
import {
  DEFAULT_BEACON_DEMO_SECONDS,
  DEFAULT_DEMO_PROBE_INTERVAL_MS,
  DEFAULT_DEMO_SECONDS,
  MAX_DEMO_WORKERS,
} from './demo/demoDefaults.js';

/** The parts the demo can run: failover on a chain's RPC nodes, or beacon head streams. */
export const DEMO_PART_NAMES = [...DEMO_CHAIN_NAMES, 'beacon'] as const;
/** A part of the demo: `soroban` and `evm` route calls through failover, `beacon` watches head streams. */
export type DemoPartName = (typeof DEMO_PART_NAMES)[number];

/** One part of a demo run, and how long it runs. */
export interface DemoPart {
  chain: DemoPartName;
  durationMs: number;
}

/** The kinds of endpoint `watch` watches: Soroban RPC, EVM JSON-RPC, beacon node. */
export const WATCH_KINDS = ['soroban', 'evm', 'beacon'] as const;
/** A kind of endpoint `watch` watches; also its option (`--soroban`) and its metrics' `client` label. */
export type WatchKind = (typeof WATCH_KINDS)[number];

/** What `switchyard watch` was asked to watch, and how. */
export interface WatchCommand {
  name: 'watch';
  /** URLs per kind, in the order given (credentials included: never print them). */
  endpoints: Record<WatchKind, string[]>;
  /** Probe interval of every instance, and how often a plain snapshot is printed. */
  intervalMs: number;
  /** Undefined: until SIGINT or SIGTERM. */
  durationMs: number | undefined;
  /** Port of the `/metrics` server on 127.0.0.1 (0: any free port); undefined: no server. */
  metricsPort: number | undefined;
}

/** What the command line asked for. `usage-error` ends with exit code 2. */
export type Command =
  | { name: 'help' }
  | WatchCommand
  | {
      name: 'demo';
      /** The parts to run, one after the other: Soroban then beacon unless `--chain` names one. */
      parts: DemoPart[];
      probeIntervalMs: number;
      /** Worker processes sharing one state file (Soroban only); undefined for the single-process demo. */
      workers: number | undefined;
    }
  | { name: 'usage-error'; message: string };

/** Default probe interval of `watch`: the library's own default. */
export const DEFAULT_WATCH_INTERVAL_MS = 1000;
/** Shortest probe interval of `watch`: real endpoints, often metered, are probed that often each. */
export const MIN_WATCH_INTERVAL_MS = 50;

/** The text of `switchyard help`. */
export const HELP = `Usage: switchyard <command> [options]

Commands:
  demo    Simulated nodes with faults injected on a timeline: RPC failover
          (Soroban or EVM) with a live table of endpoint health and routing,
          then beacon head streams with a live table of each node's stream;
          a summary after each part
  watch   The same live view for real endpoints: read-only health probes,
          no calls of yours, optionally a Prometheus /metrics endpoint
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

Demo exit code: 0 when the demo ran (also with failed calls: the summary
counts them), 1 when it could not run or a worker process crashed, 2 for a
bad command line, 130 after Ctrl-C.

Watch options (at least one URL in all; each of --soroban, --evm, --beacon
takes one or more http(s) URLs, space-separated, and may be repeated):
  --soroban <url>...     Soroban RPC endpoints: an rpc.Server of the first URL,
                         wrapped with withFailover over all of them
  --evm <url>...         EVM JSON-RPC endpoints: a viem client on
                         failover([http(url), ...]); no chain id is checked
  --beacon <url>...      Beacon nodes: createBeaconHeadMonitor, one head
                         stream each
  --interval <time>      Probe interval, and how often a snapshot is printed
                         when not on a terminal (default ${DEFAULT_WATCH_INTERVAL_MS}ms, at least ${MIN_WATCH_INTERVAL_MS}ms)
  --duration <time>      Stop after this long (default: until Ctrl-C or
                         SIGTERM). Times are ms, or take a unit: 500ms, 10s, 5m
  --metrics-port <n>     Serve GET /metrics (Prometheus, switchyard_* series,
                         label client="soroban|evm|beacon") on 127.0.0.1:<n>;
                         0 picks a free port. Needs prom-client:
                         npm i prom-client
  -h, --help             Show this help

Watch shows each endpoint by its label, a redacted URL: credentials in user
info, query values and key-like path segments are never printed. Nothing is
written and no call is made: the background probes alone (Soroban getHealth,
EVM eth_blockNumber and eth_syncing, beacon /eth/v1/node/syncing and the head
streams) show state, latency, head, lag and errors. An unreachable endpoint
shows as down, with the reason. On a terminal the table is redrawn in place;
elsewhere a plain snapshot is printed every interval. Exit code: 0 when it
stopped (--duration, Ctrl-C, SIGTERM), 1 when it could not start (a missing
SDK or prom-client, a port in use), 2 for a bad command line.

Examples:
  switchyard demo
  switchyard demo --chain evm             # the failover part through viem
  switchyard demo --chain beacon          # the beacon head streams only
  switchyard demo --duration 10 | cat     # plain lines, no live table
  switchyard demo --workers 3             # three processes sharing probes
  switchyard watch --soroban https://rpc-a.example https://rpc-b.example
  switchyard watch --evm "$ETH_RPC_A" --evm "$ETH_RPC_B" --beacon http://bn:5052
  switchyard watch --beacon http://bn1:5052 --metrics-port 9464 --duration 1m
`;

const WATCH_OPTIONS = {
  soroban: { type: 'string', multiple: true },
  evm: { type: 'string', multiple: true },
  beacon: { type: 'string', multiple: true },
  interval: { type: 'string' },
  duration: { type: 'string' },
  'metrics-port': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

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
 * parseCommand(['watch', '--evm', 'https://a.example', 'https://b.example', '--duration', '10s']);
 * // { name: 'watch', endpoints: { soroban: [], evm: ['https://a.example', 'https://b.example'], beacon: [] }, intervalMs: 1000, durationMs: 10000, metricsPort: undefined }
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
      return parseWatch(rest);
    default:
      return { name: 'usage-error', message: `unknown command '${name}'` };
  }
}

/** Node's own parseArgs message on one line: it names the option and says what is wrong. */
function parseArgsError(error: unknown): Command {
  return { name: 'usage-error', message: String((error as Error).message).replace(/\s*\n\s*/g, ' ') };
}

function parseDemo(args: string[]): Command {
  let values: { chain?: string; duration?: string; 'interval-ms'?: string; workers?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args, options: DEMO_OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    return parseArgsError(error);
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

/**
 * `watch`: URLs follow `--soroban`, `--evm` or `--beacon`, one per option (repeated) or several
 * after one (`--evm a b c`). A bare argument belongs to the kind option just before it.
 */
function parseWatch(args: string[]): Command {
  const read = () =>
    parseArgs({ args, options: WATCH_OPTIONS, strict: true, allowPositionals: true, tokens: true });
  let parsed: ReturnType<typeof read>;
  try {
    parsed = read();
  } catch (error) {
    const command = parseArgsError(error);
    // Node's hint about positionals starting with '-' does not apply: URLs never do.
    if (command.name === 'usage-error')
      command.message = command.message.replace(/\. To specify a positional argument.*$/, '');
    return command;
  }
  const { values, tokens } = parsed;
  if (values.help) return { name: 'help' };
  const endpoints: Record<WatchKind, string[]> = { soroban: [], evm: [], beacon: [] };
  // The kind whose URLs are being listed: set by its option, ended by any other option.
  let listing: WatchKind | undefined;
  for (const token of tokens) {
    if (token.kind === 'option') {
      listing = WATCH_KINDS.find((kind) => kind === token.name);
      if (listing && token.value !== undefined) endpoints[listing].push(token.value);
    } else if (token.kind === 'positional') {
      if (!listing) {
        return {
          name: 'usage-error',
          message: `unexpected argument ${shown(token.value)}: URLs follow --soroban, --evm or --beacon`,
        };
      }
      endpoints[listing].push(token.value);
    }
  }
  for (const kind of WATCH_KINDS) {
    const problem = badUrls(`--${kind}`, endpoints[kind]);
    if (problem) return { name: 'usage-error', message: problem };
  }
  if (WATCH_KINDS.every((kind) => endpoints[kind].length === 0)) {
    return {
      name: 'usage-error',
      message: 'watch needs at least one endpoint URL after --soroban, --evm or --beacon',
    };
  }
  const intervalMs = timeMs('--interval', values.interval, DEFAULT_WATCH_INTERVAL_MS);
  if (typeof intervalMs === 'string') return { name: 'usage-error', message: intervalMs };
  if (intervalMs < MIN_WATCH_INTERVAL_MS) {
    return {
      name: 'usage-error',
      message: `--interval must be at least ${MIN_WATCH_INTERVAL_MS}ms (got '${values.interval}')`,
    };
  }
  const durationMs = timeMs('--duration', values.duration, undefined);
  if (typeof durationMs === 'string') return { name: 'usage-error', message: durationMs };
  const metricsPort = port(values['metrics-port']);
  if (typeof metricsPort === 'string') return { name: 'usage-error', message: metricsPort };
  return { name: 'watch', endpoints, intervalMs, durationMs, metricsPort };
}

/** What is wrong with the URLs given to `flag`, if anything: not http(s), or listed twice. */
function badUrls(flag: string, urls: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const text of urls) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return `${flag}: ${shown(text)} is not a URL`;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return `${flag}: ${shown(text)} is not an http or https URL`;
    if (seen.has(url.href)) return `${flag} lists ${shown(text)} twice`;
    seen.add(url.href);
  }
  return undefined;
}

/**
 * An argument as an error message may show it, quoted: URLs may carry API keys, so a URL is
 * redacted (user info, query values and key-like path segments hidden) and anything else that
 * could hold a secret is masked the same way.
 */
function shown(text: string): string {
  // Only URLs with an authority: redactUrl would show `user:pw@host` of `user:pw@host/x` (a URL of
  // scheme `user:`) as a path.
  if (URL.canParse(text) && /^(https?|wss?|ftp):$/.test(new URL(text).protocol))
    return `'${redactUrl(text)}'`;
  // Not a URL: default-deny, as redactUrl. Nothing after the host part is shown, user info neither.
  const masked = text
    .replace(/^([^/?#]*\/\/)?[^/?#]*@/, (_, scheme = '') => `${scheme}***@`)
    .replace(/[/?#].*$/, (rest) => `${rest[0]}***`);
  return `'${masked}'`;
}

const TIME_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A time in ms (`fallback` when not given) from `500`, `500ms`, `10s`, `5m`; or what is wrong with it. */
function timeMs<F extends number | undefined>(
  flag: string,
  text: string | undefined,
  fallback: F,
): number | F | string {
  if (text === undefined) return fallback;
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?\s*$/.exec(text);
  const value = match ? Number(match[1]) * TIME_UNITS[match[2] ?? 'ms']! : Number.NaN;
  return Number.isFinite(value) && value > 0
    ? value
    : `${flag} must be a positive time in ms, or with a unit: 500ms, 10s, 5m (got '${text}')`;
}

/** A TCP port, 0 to 65535 (undefined when not given), or what is wrong with it. */
function port(text: string | undefined): number | undefined | string {
  if (text === undefined) return undefined;
  const value = Number(text);
  return /^\s*\d+\s*$/.test(text) && value <= 65_535
    ? value
    : `--metrics-port must be a port number from 0 to 65535 (got '${text}')`;
}
