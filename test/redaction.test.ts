import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { Registry } from 'prom-client';
import { createBeaconHeadMonitor } from 'switchyard-rpc/beacon';
import { registerMetrics } from 'switchyard-rpc/prometheus';
import { http } from 'viem';
import { afterEach, describe, expect, it } from 'vitest';
import { withFailover } from '../adapters/soroban/index.js';
import { failover } from '../adapters/viem/index.js';
import { watchLabels } from '../cli/watch/watchLabels.js';
import { AllEndpointsFailedError, AllStreamsFailedError, TimeoutError } from '../src/index.js';
import { BeaconCluster, SorobanCluster } from '../testing/index.js';
import { EvmCluster } from '../testing/viem.js';
import { API_KEYS as k } from './apiKeys.js';
import { configErrorOf, plainServer, startRpcStub, waitFor } from './helpers.js';
import { recordingLogger } from './recordingLogger.js';

// Keys in every place providers put them (path, query, user info, headers) and in every format
// (test/apiKeys.ts), through the real clients on simulated nodes, some of them failing so that
// reasons are shown too: nothing switchyard shows may contain one.

/** Long enough for states to settle on a loaded machine; the tests go on as soon as they have. */
const SETTLE_MS = 10_000;

const running: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  // Instances first, then the nodes they talk to.
  for (const close of running.splice(0).reverse()) await close();
});

/** Everything `values` show when printed or logged: errors with their `cause` chains, objects in full. */
function printed(...values: unknown[]): string {
  return values
    .map((value) =>
      typeof value === 'string'
        ? value
        : inspect(value, {
            depth: Number.POSITIVE_INFINITY,
            maxArrayLength: Number.POSITIVE_INFINITY,
            maxStringLength: Number.POSITIVE_INFINITY,
            breakLength: Number.POSITIVE_INFINITY,
          }),
    )
    .join('\n');
}

function expectNoKeys(text: string): void {
  for (const key of Object.values(k)) expect(text.includes(key), `${key} shown in:\n${text}`).toBe(false);
}

/** An error and every error in its `cause` chain (viem wraps a transport's errors in its own). */
function withCauses(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && chain.length < 20; e = (e as { cause?: unknown }).cause)
    chain.push(e);
  return chain;
}

describe('no key reaches anything switchyard shows', () => {
  it('Soroban rpc.Server: logs, events, status(), metrics(), Prometheus and errors', async () => {
    const cluster = await new SorobanCluster({ nodes: 3, ledgerIntervalMs: 100 }).start();
    running.push(() => cluster.close());
    const [a, b, c] = cluster.nodes;
    // The measured endpoint: a 13-character path key, which the old 16-character rule showed.
    const own = `${a!.url}rpc/${k.short13}?apikey=${k.padded}`;
    const withUserInfo = {
      url: `http://${k.infura}:${k.short8}@127.0.0.1:${b!.port}/v3/${k.dotted}`,
      headers: { 'X-Api-Key': k.uuid },
    };
    const inPath = `${c!.url}${k.quicknode}/?token=${k.tilde}`;
    const logger = recordingLogger();
    const server = withFailover(plainServer(own), {
      endpoints: [withUserInfo, inPath],
      probeIntervalMs: 100,
      logger,
    });
    running.push(() => server.failover.close());
    const events: unknown[] = [];
    for (const name of [
      'route-change',
      'endpoint-degraded',
      'endpoint-lagging',
      'endpoint-recovered',
    ] as const)
      server.failover.on(name, (e) => events.push(e));
    const registry = new Registry();
    registerMetrics(server.failover, { registry, client: 'soroban' });
    const states = () => server.failover.status().endpoints.map((e) => e.state);
    await waitFor(() => states().every((state) => state === 'healthy'), 'all healthy', SETTLE_MS);

    await Promise.all([b!.setFaults({ refuse: true }), c!.setFaults({ errorRate: 1 })]);
    await waitFor(() => states().join() === 'healthy,down,down', 'the keyed backups down', SETTLE_MS);
    expect((await server.getLatestLedger()).sequence).toBeGreaterThan(0);
    await a!.setFaults({ errorRate: 1 });
    const failed = await server.getLatestLedger().catch((e: unknown) => e);
    await waitFor(() => states().every((state) => state === 'down'), 'all down', SETTLE_MS);
    const skipped = await server.getNetwork().catch((e: unknown) => e);
    const duplicate = configErrorOf(() => server.failover.updateEndpoints([own, inPath, inPath]));
    const malformed = configErrorOf(() =>
      server.failover.updateEndpoints([`http://u:${k.short8}@exa mple/${k.short13}?key=${k.tilde}`]),
    );

    expect(failed).toBeInstanceOf(AllEndpointsFailedError);
    expect(skipped).toBeInstanceOf(AllEndpointsFailedError);
    const status = server.failover.status();
    expect(status.endpoints.every((e) => e.reason !== undefined)).toBe(true);
    const exposition = await registry.metrics();
    const text = printed(
      logger.lines,
      events,
      status,
      server.failover.metrics(),
      exposition,
      ...withCauses(failed),
      ...withCauses(skipped),
      ...withCauses(duplicate),
      ...withCauses(malformed),
    );
    expectNoKeys(text);
    // Each endpoint is there, redacted.
    expect(status.endpoints.map((e) => e.label)).toEqual([
      `http://127.0.0.1:${a!.port}/rpc/***?apikey=***`,
      `http://***@127.0.0.1:${b!.port}/v3/***`,
      `http://127.0.0.1:${c!.port}/***/?token=***`,
    ]);
    expect(exposition).toContain(`endpoint="http://127.0.0.1:${a!.port}/rpc/***?apikey=***"`);
    expect(logger.lines.length).toBeGreaterThan(0);
  });

  it('viem failover: two keys on one provider stay apart, and no key shows, a failing node included', async () => {
    const cluster = await new EvmCluster({ nodes: 3, blockIntervalMs: 100 }).start();
    running.push(() => cluster.close());
    const [a, b, c] = cluster.nodes;
    const urls = [
      `${a!.url}v2/${k.alchemy}`,
      // A second key on the same provider: the same redacted text, told apart by the id.
      `${a!.url}v2/${k.short8}`,
      `${b!.url}eth/${k.ankr}?key=${k.short15}`,
      `http://${k.short13}:${k.tilde}@127.0.0.1:${c!.port}/${k.uuid}`,
    ];
    const logger = recordingLogger();
    const transport = failover(
      urls.map((url) => http(url, { timeout: 2000 })),
      { probeIntervalMs: 100, logger },
    );
    running.push(() => transport.failover.close());
    const events: unknown[] = [];
    for (const name of [
      'route-change',
      'endpoint-degraded',
      'endpoint-lagging',
      'endpoint-recovered',
    ] as const)
      transport.failover.on(name, (e) => events.push(e));
    const registry = new Registry();
    registerMetrics(transport.failover, { registry, client: 'evm' });
    const request = transport({ retryCount: 0 }).request;
    const states = () => transport.failover.status().endpoints.map((e) => e.state);
    await waitFor(() => states().every((state) => state === 'healthy'), 'all healthy', SETTLE_MS);

    await Promise.all([b!.setFaults({ refuse: true }), c!.setFaults({ errorRate: 1 })]);
    await waitFor(() => states().join() === 'healthy,healthy,down,down', 'b and c down', SETTLE_MS);
    expect(await request({ method: 'eth_blockNumber' })).toMatch(/^0x/);
    await a!.setFaults({ errorRate: 1 });
    const failed = withCauses(await request({ method: 'eth_blockNumber' }).catch((e: unknown) => e));
    await waitFor(() => states().every((state) => state === 'down'), 'all down', SETTLE_MS);
    const skipped = withCauses(await request({ method: 'eth_chainId' }).catch((e: unknown) => e));

    expect(failed.some((e) => e instanceof AllEndpointsFailedError)).toBe(true);
    expect(skipped.some((e) => e instanceof AllEndpointsFailedError)).toBe(true);
    const status = transport.failover.status();
    const text = printed(
      logger.lines,
      events,
      status,
      transport.failover.metrics(),
      await registry.metrics(),
      ...failed,
      ...skipped,
    );
    expectNoKeys(text);
    const [first, second] = transport.failover.endpoints();
    expect(status.endpoints.map((e) => e.label)).toEqual([
      `http://127.0.0.1:${a!.port}/v2/***#${first!.id.slice(0, 6)}`,
      `http://127.0.0.1:${a!.port}/v2/***#${second!.id.slice(0, 6)}`,
      `http://127.0.0.1:${b!.port}/eth/***?key=***`,
      `http://***@127.0.0.1:${c!.port}/***`,
    ]);
    expect(status.endpoints.every((e) => e.reason !== undefined)).toBe(true);
  });

  it('viem failover: a TimeoutError names the endpoints it waited for without their keys', async () => {
    const cluster = await new EvmCluster({ nodes: 1, blockIntervalMs: 100 }).start();
    running.push(() => cluster.close());
    const node = cluster.nodes[0]!;
    const transport = failover([http(`${node.url}rpc/${k.short13}?apikey=${k.dotted}`)], {
      // No probe between the blackhole and the call: the endpoint is still healthy when it is tried.
      probeIntervalMs: 10_000,
      timeoutMs: 300,
      logger: recordingLogger(),
    });
    running.push(() => transport.failover.close());
    await waitFor(() => transport.failover.status().endpoints[0]!.state === 'healthy', 'healthy', SETTLE_MS);
    await node.setFaults({ blackhole: true });

    const error = await transport({ retryCount: 0 })
      .request({ method: 'eth_blockNumber' })
      .catch((e: unknown) => e);

    const chain = withCauses(error);
    expect(chain.some((e) => e instanceof TimeoutError)).toBe(true);
    const text = printed(...chain);
    expectNoKeys(text);
    expect(text).toContain(`http://127.0.0.1:${node.port}/rpc/***?apikey=***`);
  });

  it("a node's own error message that quotes the key is scrubbed before it is shown", async () => {
    const stub = await startRpcStub(() => ({
      error: { code: -32001, message: `unknown API key ${k.short13}` },
    }));
    running.push(() => stub.close());
    const logger = recordingLogger();
    const server = withFailover(plainServer(`${stub.url}rpc/${k.short13}`), {
      probeIntervalMs: 10_000,
      logger,
    });
    running.push(() => server.failover.close());

    const error = await server.getLatestLedger().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AllEndpointsFailedError);
    const text = printed(...withCauses(error), server.failover.status(), logger.lines);
    expectNoKeys(text);
    expect(text).toContain('unknown API key ***');
  });

  it('beacon head monitor: logs, events, status(), metrics(), Prometheus and AllStreamsFailedError', async () => {
    const cluster = await new BeaconCluster({ nodes: 2, slotMs: 250, keepAliveMs: 50 }).start();
    running.push(() => cluster.close());
    const [a, b] = cluster.nodes;
    const logger = recordingLogger();
    const monitor = createBeaconHeadMonitor({
      candidates: [
        `${a!.url}?apikey=${k.padded}&token=${k.short13}`,
        {
          url: `http://${k.uuid}:${k.short8}@127.0.0.1:${b!.port}/`,
          headers: { Authorization: `Bearer ${k.alchemy}` },
        },
        // A key in the path is no beacon API here: these two are answered 404, and show why.
        `${a!.url}eth/${k.ankr}/`,
        `${b!.url}${k.dotted}/${k.tilde}`,
      ],
      genesisTime: cluster.genesisTime,
      secondsPerSlot: cluster.slotMs / 1000,
      failedCyclesBeforeError: 1,
      logger,
    });
    running.push(() => monitor.close());
    const events: unknown[] = [];
    for (const name of ['head', 'stream-open', 'stream-lost', 'error'] as const)
      monitor.on(name, (e) => events.push(e));
    const registry = new Registry();
    registerMetrics(monitor, { registry, client: 'beacon' });
    const streams = () => monitor.status().streams;
    await waitFor(
      () =>
        monitor.latest() !== undefined &&
        streams()
          .slice(2)
          .every((s) => !s.connected && s.lastError !== undefined),
      'a head, and the 404 streams lost with a reason',
      SETTLE_MS,
    );
    const head = monitor.latest();
    const allFailed = new Promise<unknown>((resolve) => monitor.on('error', ({ error }) => resolve(error)));
    await Promise.all([a!.setFaults({ refuse: true }), b!.setFaults({ refuse: true })]);
    const error = await allFailed;
    const duplicate = configErrorOf(() =>
      monitor.updateCandidates([`${b!.url}${k.dotted}/${k.tilde}`, `${b!.url}${k.dotted}/${k.tilde}`]),
    );

    expect(error).toBeInstanceOf(AllStreamsFailedError);
    const status = monitor.status();
    const text = printed(
      logger.lines,
      events,
      head,
      status,
      monitor.metrics(),
      await registry.metrics(),
      ...withCauses(error),
      ...withCauses(duplicate),
    );
    expectNoKeys(text);
    expect(status.streams.map((s) => s.label)).toEqual([
      `http://127.0.0.1:${a!.port}?apikey=***&token=***`,
      `http://***@127.0.0.1:${b!.port}`,
      `http://127.0.0.1:${a!.port}/eth/***/`,
      `http://127.0.0.1:${b!.port}/***/***`,
    ]);
    expect(status.streams.slice(2).every((s) => s.lastError !== undefined)).toBe(true);
  });

  it('switchyard watch (the built CLI): table, reasons and /metrics', async () => {
    const [soroban, evm, beacon] = await Promise.all([
      new SorobanCluster({ nodes: 2, ledgerIntervalMs: 200 }).start(),
      new EvmCluster({ nodes: 1, blockIntervalMs: 500 }).start(),
      new BeaconCluster({ nodes: 1, slotMs: 200 }).start(),
    ]);
    running.push(() => Promise.all([soroban.close(), evm.close(), beacon.close()]));
    await soroban.nodes[1]!.setFaults({ refuse: true });
    const endpoints = {
      soroban: [
        `${soroban.nodes[0]!.url}rpc/${k.short13}?apikey=${k.padded}`,
        `http://${k.infura}:${k.short8}@127.0.0.1:${soroban.nodes[1]!.port}/v3/${k.dotted}`,
      ],
      evm: [`${evm.nodes[0]!.url}v2/${k.alchemy}`, `${evm.nodes[0]!.url}v2/${k.short15}`],
      // The key path is no beacon API: that node answers 404, and the watch shows the reason.
      beacon: [`${beacon.nodes[0]!.url}?apikey=${k.tilde}`, `${beacon.nodes[0]!.url}eth/${k.ankr}/`],
    };
    const cli = fileURLToPath(new URL('../dist/cli/switchyard.js', import.meta.url));
    const args = Object.entries(endpoints).flatMap(([kind, urls]) => [`--${kind}`, ...urls]);
    const watchArgs = ['watch', ...args, '--interval', '150', '--metrics-port', '0'];
    const child = spawn(process.execPath, [cli, ...watchArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = once(child, 'close');
    running.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    });
    const output = { stdout: '', stderr: '' };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
    const refused = watchLabels(endpoints.soroban)[1]!;
    const notBeacon = watchLabels(endpoints.beacon)[1]!;
    const withReason = (label: string) =>
      new RegExp(`\\n  ${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} .*\\n    ↳ \\S`);

    await waitFor(
      () =>
        /^metrics: http/m.test(output.stdout) &&
        withReason(refused).test(output.stdout) &&
        withReason(notBeacon).test(output.stdout),
      'the failing keyed endpoints with their reasons',
      SETTLE_MS,
    );
    const metrics = await (await fetch(/^metrics: (\S+)$/m.exec(output.stdout)![1]!)).text();
    child.kill('SIGTERM');
    const [code] = await exited;

    expect(code, output.stderr).toBe(0);
    expectNoKeys(`${output.stdout}\n${output.stderr}\n${metrics}`);
    expect(output.stdout).toContain(`http://127.0.0.1:${soroban.nodes[0]!.port}/rpc/***?apikey=***`);
    expect(metrics).toContain('switchyard_endpoint_state{client="soroban"');
  });
});
