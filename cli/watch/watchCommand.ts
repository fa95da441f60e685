import { parseArgs } from 'node:util';
import { redactUrl } from '../../src/endpoint.js';
import { type HelpCommand, parseArgsError, type UsageError, usageError } from '../commandLine.js';
import { parseWebAddress, type WebAddress } from '../web/webAddress.js';
import { DEFAULT_WATCH_INTERVAL_MS, MIN_WATCH_INTERVAL_MS } from './watchDefaults.js';
import { WATCH_KINDS, type WatchKind } from './watchKind.js';

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
  /** Where to serve the status page (`--web [host:]port`); undefined: no page. */
  web: WebAddress | undefined;
}

/** The watch's part of `switchyard help`. */
export const WATCH_HELP = `Watch options (at least one URL in all; each of --soroban, --evm, --beacon
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
  --web <[host:]port>    Serve the status page (switchyard-rpc/dashboard: live
                         table, latency, traffic share, events; status.json)
                         at http://<host>:<port>/; host defaults to 127.0.0.1,
                         port 0 picks a free one. Read-only, no credentials
                         shown; anyone who can reach it sees it
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
`;

/** The watch's lines of the examples in `switchyard help`. */
export const WATCH_EXAMPLES = `  switchyard watch --soroban https://rpc-a.example https://rpc-b.example
  switchyard watch --evm "$ETH_RPC_A" --evm "$ETH_RPC_B" --beacon http://bn:5052
  switchyard watch --beacon http://bn1:5052 --metrics-port 9464 --duration 1m
  switchyard watch --soroban https://rpc-a.example --web 127.0.0.1:8080
`;

const WATCH_OPTIONS = {
  soroban: { type: 'string', multiple: true },
  evm: { type: 'string', multiple: true },
  beacon: { type: 'string', multiple: true },
  interval: { type: 'string' },
  duration: { type: 'string' },
  'metrics-port': { type: 'string' },
  web: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Reads the arguments after `watch`: URLs follow `--soroban`, `--evm` or `--beacon`, one per
 * option (repeated) or several after one (`--evm a b c`). A bare argument belongs to the kind
 * option just before it. Never throws: a bad one becomes a usage error whose message names the
 * problem, and never repeats the credentials of a URL.
 *
 * @example
 * parseWatchCommand(['--evm', 'https://a.example', 'https://b.example', '--duration', '10s']);
 * // { name: 'watch', endpoints: { soroban: [], evm: ['https://a.example', 'https://b.example'], beacon: [] }, intervalMs: 1000, durationMs: 10000, metricsPort: undefined, web: undefined }
 */
export function parseWatchCommand(args: readonly string[]): WatchCommand | HelpCommand | UsageError {
  const read = () =>
    parseArgs({
      args: [...args],
      options: WATCH_OPTIONS,
      strict: true,
      allowPositionals: true,
      tokens: true,
    });
  let parsed: ReturnType<typeof read>;
  try {
    parsed = read();
  } catch (error) {
    // Node's hint about positionals starting with '-' does not apply: URLs never do.
    const { message } = parseArgsError(error);
    return usageError(message.replace(/\. To specify a positional argument.*$/, ''));
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
        return usageError(
          `unexpected argument ${shown(token.value)}: URLs follow --soroban, --evm or --beacon`,
        );
      }
      endpoints[listing].push(token.value);
    }
  }
  for (const kind of WATCH_KINDS) {
    const problem = badUrls(`--${kind}`, endpoints[kind]);
    if (problem) return usageError(problem);
  }
  if (WATCH_KINDS.every((kind) => endpoints[kind].length === 0)) {
    return usageError('watch needs at least one endpoint URL after --soroban, --evm or --beacon');
  }
  const intervalMs = timeMs('--interval', values.interval, DEFAULT_WATCH_INTERVAL_MS);
  if (typeof intervalMs === 'string') return usageError(intervalMs);
  if (intervalMs < MIN_WATCH_INTERVAL_MS) {
    return usageError(`--interval must be at least ${MIN_WATCH_INTERVAL_MS}ms (got '${values.interval}')`);
  }
  const durationMs = timeMs('--duration', values.duration, undefined);
  if (typeof durationMs === 'string') return usageError(durationMs);
  const metricsPort = port(values['metrics-port']);
  if (typeof metricsPort === 'string') return usageError(metricsPort);
  const web = parseWebAddress(values.web);
  if (typeof web === 'string') return usageError(web);
  return { name: 'watch', endpoints, intervalMs, durationMs, metricsPort, web };
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
