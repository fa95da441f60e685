import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/index.js';
import { BeaconCluster, SorobanCluster } from '../../testing/index.js';
import { EvmCluster } from '../../testing/viem.js';
import { waitUntil } from '../demo/beacon/waitUntil.js';
import { runWatch } from './runWatch.js';

// The built CLI: globalSetup builds dist/ before any test runs.
const CLI = fileURLToPath(new URL('../../dist/cli/switchyard.js', import.meta.url));
const PASSWORD = 'hunter2';
const KEY = '0123456789abcdef0123456789abcdef';
/** Probes every 150 ms: states settle within a second, even on a loaded machine. */
const INTERVAL_MS = 150;
/** Long enough for any condition below on a loaded machine; the tests end as soon as they hold. */
const WAIT_MS = 10_000;

/** A URL of `node` carrying credentials in user info and in a key-like path segment. */
function withCredentials(nodeUrl: string): string {
  const { port } = new URL(nodeUrl);
  return `http://user:${PASSWORD}@127.0.0.1:${port}/key/${KEY}`;
}

let soroban: SorobanCluster;
let evm: EvmCluster;
let beacon: BeaconCluster;
/** What every test watches: per kind a refused node, and a URL with credentials. */
let endpoints: { soroban: string[]; evm: string[]; beacon: string[] };
let labels: {
  sorobanKeyed: string;
  sorobanRefused: string;
  evmPlain: string;
  evmKeyed: string;
  beaconOpen: string;
  beaconRefused: string;
};

beforeAll(async () => {
  [soroban, evm, beacon] = await Promise.all([
    new SorobanCluster({ nodes: 2, ledgerIntervalMs: 200 }).start(),
    new EvmCluster({ nodes: 2, blockIntervalMs: 500 }).start(),
    new BeaconCluster({ nodes: 2, slotMs: 200 }).start(),
  ]);
  await Promise.all([
    soroban.nodes[1]!.setFaults({ refuse: true }),
    beacon.nodes[1]!.setFaults({ refuse: true }),
  ]);
  endpoints = {
    // The wrapped rpc.Server's own URL carries the credentials.
    soroban: [withCredentials(soroban.nodes[0]!.url), soroban.nodes[1]!.url],
    evm: [evm.nodes[0]!.url, withCredentials(evm.nodes[1]!.url)],
    // The key path is not a beacon API: that node answers 404, and shows so.
    beacon: [beacon.nodes[0]!.url, beacon.nodes[1]!.url, withCredentials(beacon.nodes[0]!.url)],
  };
  labels = {
    sorobanKeyed: redactUrl(endpoints.soroban[0]!),
    sorobanRefused: redactUrl(endpoints.soroban[1]!),
    evmPlain: redactUrl(endpoints.evm[0]!),
    evmKeyed: redactUrl(endpoints.evm[1]!),
    beaconOpen: redactUrl(endpoints.beacon[0]!),
    beaconRefused: redactUrl(endpoints.beacon[1]!),
  };
});

afterAll(async () => {
  await Promise.all([soroban?.close(), evm?.close(), beacon?.close()]);
});

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A row of `label` of a failover instance, down, followed by its reason line. */
const downWithReason = (label: string) => new RegExp(`\\n  ${escapeRegExp(label)} +down .*\\n    ↳ \\S`);
/** A beacon row of `label` whose stream waits to reconnect, followed by the reason it was lost. */
const lostWithReason = (label: string) =>
  new RegExp(`\\n  ${escapeRegExp(label)} +waiting +no .*\\n    ↳ \\S`);
/** A beacon row of `label` with an open, connected stream and a head slot. */
const streaming = (label: string) => new RegExp(`\\n[▶ ] ${escapeRegExp(label)} +open +yes +\\d+ `);
/** A row of `label` of a failover instance, healthy with a head. */
const healthy = (label: string) => new RegExp(`\\n[▶ ] ${escapeRegExp(label)} +healthy +\\d+ ms +\\d+ `);

/** Cursor movement and line clearing, as the live display writes them. */
const CURSOR_CODES = new RegExp(`${String.fromCharCode(27)}\\[\\d*[FK]`, 'g');

/** Nothing secret of the URLs above. */
function expectNoSecrets(text: string): void {
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(KEY);
  expect(text).not.toContain('user:');
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

/**
 * Series of each `client` on the exposition, by endpoint label. States that may move on a loaded
 * machine (a 200 ms slot stream restarted, a 500 ms block node briefly lagging) are not pinned.
 */
function expectClientSeries(metrics: string): void {
  expect(metrics).toMatch(/^switchyard_probes_total\{client="soroban",endpoint="[^"]+",result="ok"\} [1-9]/m);
  expect(metrics).toContain(
    `switchyard_endpoint_state{client="soroban",endpoint="${labels.sorobanRefused}",state="down"} 1`,
  );
  expect(metrics).toMatch(
    new RegExp(
      `^switchyard_probes_total\\{client="evm",endpoint="${escapeRegExp(labels.evmKeyed)}",result="ok"\\} [1-9]`,
      'm',
    ),
  );
  expect(metrics).toMatch(
    new RegExp(
      `^switchyard_heads_received_total\\{client="beacon",endpoint="${escapeRegExp(labels.beaconOpen)}"\\} [1-9]`,
      'm',
    ),
  );
  expect(metrics).toMatch(/^switchyard_stream_connected\{client="beacon",endpoint="[^"]+"\} [01]$/m);
}

describe('runWatch', () => {
  it('shows every endpoint in plain snapshots, a refused node down with its reason, and serves /metrics', async () => {
    let output = '';
    const out = { write: (text: string) => (output += text) };
    const stop = new AbortController();

    const watching = runWatch({
      endpoints,
      intervalMs: INTERVAL_MS,
      metricsPort: 0,
      out,
      live: false,
      signal: stop.signal,
    });
    const settled = await waitUntil(
      () =>
        downWithReason(labels.sorobanRefused).test(output) &&
        healthy(labels.sorobanKeyed).test(output) &&
        healthy(labels.evmKeyed).test(output) &&
        streaming(labels.beaconOpen).test(output) &&
        lostWithReason(labels.beaconRefused).test(output),
      { timeoutMs: WAIT_MS, everyMs: 50 },
    );
    const metricsUrl = /^metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)$/m.exec(output)?.[1];
    expect(metricsUrl, output).toBeDefined();
    const metrics = await scrape(metricsUrl!);
    stop.abort();
    const result = await watching;

    expect(settled, output).toBe(true);
    expect(result.interrupted).toBe(true);
    expect(result.metricsUrl).toBe(metricsUrl);
    // Once, at the start.
    expect(output.split('metrics: ').length).toBe(2);
    expect(output).not.toContain('\x1b');
    // Every endpoint has its row, by label.
    for (const label of [...Object.values(labels), redactUrl(endpoints.beacon[2]!)])
      expect(output).toContain(` ${label} `);
    expect(output).toMatch(
      /^\[ *\d+\.\ds\] soroban \d\/2 healthy · evm \d\/2 healthy · beacon \d\/3 connected$/m,
    );
    expect(output).toContain('probes/min');
    expect(output).toContain('disconnects');
    expect(output).toMatch(/switchyard watch: stopped after \d+\.\ds\n$/);
    expectNoSecrets(output);
    expectClientSeries(metrics);
    expectNoSecrets(metrics);
    // The instances and the server are closed: the port no longer answers.
    await expect(fetch(metricsUrl!)).rejects.toThrow();
  });

  it('redraws a live table in place within the terminal width, and ends by itself after durationMs', async () => {
    let output = '';
    const out = { write: (text: string) => (output += text), isTTY: true, columns: 100 };
    const started = performance.now();

    const result = await runWatch({ endpoints, intervalMs: INTERVAL_MS, durationMs: 1200, out });

    expect(result.interrupted).toBe(false);
    // Timers may fire a millisecond early.
    expect(result.elapsedMs).toBeGreaterThan(1150);
    expect(performance.now() - started).toBeLessThan(WAIT_MS);
    expect(output).toContain('\x1b[');
    const frames = output.split('\x1b[J');
    expect(frames.length).toBeGreaterThan(2);
    const last = frames.at(-2)!.replace(CURSOR_CODES, '');
    for (const line of last.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
    expect(last).toContain('switchyard watch: 2 Soroban RPC, 2 EVM, 3 beacon endpoints');
    expect(last).toMatch(/1\.\ds \/ 1\.2s\n/);
    for (const label of Object.values(labels)) expect(last).toContain(` ${label}`);
    expect(last).toContain('recent events');
    expectNoSecrets(output);
  });
});

/** The built CLI with stdout piped (not a TTY), as in CI or a script. */
function startCli(args: readonly string[], nodeOptions: readonly string[] = []) {
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
    process.execPath,
    [...nodeOptions, CLI, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = {
    stdout: '',
    stderr: '',
    stoppedAt: undefined as number | undefined,
    exitedAt: undefined as number | undefined,
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output.stdout += chunk;
    if (output.stoppedAt === undefined && output.stdout.includes('switchyard watch: stopped after'))
      output.stoppedAt = performance.now();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output.stderr += chunk;
  });
  child.on('exit', () => {
    output.exitedAt = performance.now();
  });
  // 'close': the output is complete too.
  const exited = once(child, 'close').then(([code]) => code as number | null);
  return { child, output, exited };
}

/** Resolves with the exit code, or with 'still running' (and kills it) when it does not exit in time. */
async function exitCode(
  run: ReturnType<typeof startCli>,
  timeoutMs = WAIT_MS,
): Promise<number | null | string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('still running'), timeoutMs);
  });
  const code = await Promise.race([run.exited, late]);
  clearTimeout(timer);
  if (code === 'still running') run.child.kill('SIGKILL');
  return code;
}

function urlArgs(): string[] {
  return ['--soroban', ...endpoints.soroban, '--evm', ...endpoints.evm, '--beacon', ...endpoints.beacon];
}

describe('switchyard watch (the built CLI)', () => {
  it('exits 0 by itself after --duration, metrics server included, with plain snapshots', async () => {
    const args = ['--interval', String(INTERVAL_MS), '--duration', '2000', '--metrics-port', '0'];
    const run = startCli(['watch', ...urlArgs(), ...args]);

    const code = await exitCode(run);

    const { stdout, stderr } = run.output;
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).not.toContain('\x1b');
    expect(stdout.match(/^metrics: http:\/\/127\.0\.0\.1:\d+\/metrics$/gm)).toHaveLength(1);
    // However slow the start, the last snapshot (at the stop) has every row.
    for (const label of Object.values(labels)) expect(stdout).toContain(` ${label} `);
    // Not before --duration; later only by as long as a loaded machine stalls the process.
    const stoppedAfterS = Number(/stopped after (\d+\.\d)s\n$/.exec(stdout)?.[1]);
    expect(stoppedAfterS).toBeGreaterThanOrEqual(2);
    expect(stoppedAfterS).toBeLessThan(10);
    // Nothing lingers once closed (a keep-alive socket or a ref'd timer would hold it for seconds).
    expect(run.output.exitedAt! - run.output.stoppedAt!).toBeLessThan(2000);
    expectNoSecrets(stdout);
  });

  it('serves /metrics until SIGTERM, then closes everything and exits 0', async () => {
    const run = startCli(['watch', ...urlArgs(), '--interval', String(INTERVAL_MS), '--metrics-port', '0']);
    const { output } = run;
    const settled = await waitUntil(
      () =>
        /^metrics: http/m.test(output.stdout) &&
        downWithReason(labels.sorobanRefused).test(output.stdout) &&
        healthy(labels.evmPlain).test(output.stdout) &&
        streaming(labels.beaconOpen).test(output.stdout),
      { timeoutMs: WAIT_MS, everyMs: 50 },
    );
    expect(settled, `${output.stdout}\n${output.stderr}`).toBe(true);
    const metrics = await scrape(/^metrics: (\S+)$/m.exec(output.stdout)![1]!);

    run.child.kill('SIGTERM');

    expect(await exitCode(run), output.stderr).toBe(0);
    expect(output.stderr).toBe('');
    expect(output.stdout).toMatch(/stopped after \d+\.\ds\n$/);
    expectNoSecrets(output.stdout);
    expectClientSeries(metrics);
    expectNoSecrets(metrics);
  });

  it('stops quietly when the reader of its output goes away, as with | head', async () => {
    const run = startCli(['watch', '--beacon', endpoints.beacon[0]!, '--interval', String(INTERVAL_MS)]);
    await waitUntil(() => run.output.stdout.includes('connected'), { timeoutMs: WAIT_MS, everyMs: 20 });

    run.child.stdout.destroy();

    expect(await exitCode(run), run.output.stderr).toBe(0);
    expect(run.output.stderr).toBe('');
  });

  it('exits 2 with a one-line message for a bad command line, never echoing credentials', async () => {
    const runs = [
      {
        args: ['watch'],
        message: 'watch needs at least one endpoint URL after --soroban, --evm or --beacon',
      },
      {
        args: ['watch', '--evm', `ftp://user:${PASSWORD}@rpc.example/${KEY}`],
        message: "--evm: 'ftp://***@rpc.example/***' is not an http or https URL",
      },
      {
        args: ['watch', '--beacon', 'http://127.0.0.1:5052', '--duration', 'soon'],
        message: "--duration must be a positive time in ms, or with a unit: 500ms, 10s, 5m (got 'soon')",
      },
    ].map(({ args, message }) => ({ run: startCli(args), message }));
    for (const { run, message } of runs) {
      expect(await exitCode(run)).toBe(2);
      expect(run.output.stdout).toBe('');
      expect(run.output.stderr).toBe(`switchyard: ${message}\nRun 'switchyard help' for usage.\n`);
      expectNoSecrets(run.output.stderr);
    }
  });

  it('runs without prom-client unless --metrics-port asks for it, and then says to install it', async () => {
    // A module hook that makes prom-client missing, as in an install without it.
    const directory = mkdtempSync(join(tmpdir(), 'switchyard-watch-test-'));
    try {
      const hooks = join(directory, 'hooks.mjs');
      writeFileSync(
        hooks,
        `export async function resolve(specifier, context, next) {
  if (specifier === 'prom-client') {
    const error = new Error(\`Cannot find package 'prom-client' imported from \${context.parentURL}\`);
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return next(specifier, context);
}\n`,
      );
      const register = join(directory, 'register.mjs');
      writeFileSync(
        register,
        `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
      );
      const withoutPromClient = ['--import', pathToFileURL(register).href];
      const beaconArgs = ['watch', '--beacon', endpoints.beacon[0]!, '--interval', String(INTERVAL_MS)];
      const [plain, metrics] = [
        startCli([...beaconArgs, '--duration', '300'], withoutPromClient),
        startCli([...beaconArgs, '--metrics-port', '0'], withoutPromClient),
      ];

      expect(await exitCode(plain), plain.output.stderr).toBe(0);
      expect(plain.output.stdout).toContain(labels.beaconOpen);
      expect(await exitCode(metrics)).toBe(1);
      expect(metrics.output.stderr).toBe(
        'switchyard: --metrics-port needs prom-client, which is not installed: npm i prom-client\n',
      );
      expect(metrics.output.stdout).toBe('');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
