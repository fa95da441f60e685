import type { BeaconHeadMonitor } from '../../adapters/beacon/index.js';
import { credentialsAsHeader } from '../../src/endpoint.js';
import { ConfigError, type FailoverControl, type Logger } from '../../src/index.js';
import { importOptional, WatchError } from './watchError.js';
import type { WatchKind } from './watchKind.js';
import { watchLabels } from './watchLabels.js';

/** One watched group of endpoints: a failover instance (Soroban, EVM) or a head monitor (beacon). */
export type WatchClient =
  | { kind: 'soroban' | 'evm'; failover: FailoverControl; close(): Promise<void> }
  | { kind: 'beacon'; monitor: BeaconHeadMonitor; close(): Promise<void> };

export interface WatchClientOptions {
  /** Background probe interval. */
  probeIntervalMs: number;
  /** Where the instance's own errors go; the default console logger would scribble over the live table. */
  logger: Logger;
}

/**
 * Opens what a user would write for `urls` of one kind, with no call of its own: the probes drive
 * health. Soroban: an `rpc.Server` of the first URL wrapped with `withFailover` over all of them;
 * EVM: a viem public client on `failover([http(url), ...])`, without a chain (so no chain id is
 * checked); beacon: `createBeaconHeadMonitor`. Each endpoint is labelled with its redacted URL.
 * The SDK is loaded here: a missing one is a {@link WatchError} naming the package to install, and
 * endpoints the library refuses are one too (exit code 2).
 *
 * @example
 * const client = await openWatchClient('evm', ['https://eth.example/v2/KEY'], { probeIntervalMs: 1000, logger });
 * client.kind === 'evm' && client.failover.status();
 * await client.close();
 */
export async function openWatchClient(
  kind: WatchKind,
  urls: readonly string[],
  options: WatchClientOptions,
): Promise<WatchClient> {
  const labels = watchLabels(urls);
  try {
    switch (kind) {
      case 'soroban':
        return await openSoroban(urls, labels, options);
      case 'evm':
        return await openEvm(urls, labels, options);
      case 'beacon':
        return await openBeacon(urls, labels, options);
    }
  } catch (error) {
    // The library's messages name the field and show endpoints by label only.
    if (error instanceof ConfigError) throw new WatchError(`--${kind}: ${error.message}`, 2);
    throw error;
  }
}

async function openSoroban(
  urls: readonly string[],
  labels: readonly string[],
  options: WatchClientOptions,
): Promise<WatchClient> {
  const { rpc } = await importOptional(
    '@stellar/stellar-sdk',
    '--soroban',
    () => import('@stellar/stellar-sdk'),
  );
  const { withFailover } = await import('../../adapters/soroban/index.js');
  // Credentials in the first URL become its own server's Authorization header (fetch-based SDKs
  // refuse URLs with user info); the servers built for the others get none of them.
  const own = credentialsAsHeader(urls[0]!);
  const server = withFailover(new rpc.Server(own.url, { allowHttp: true, headers: own.headers }), {
    endpoints: urls.map((url, i) => ({ url: i === 0 ? own.url : url, label: labels[i]! })),
    serverOptions: { allowHttp: true, headers: {} },
    probeIntervalMs: options.probeIntervalMs,
    logger: options.logger,
  });
  return { kind: 'soroban', failover: server.failover, close: () => server.failover.close() };
}

async function openEvm(
  urls: readonly string[],
  labels: readonly string[],
  options: WatchClientOptions,
): Promise<WatchClient> {
  const { createPublicClient, http } = await importOptional('viem', '--evm', () => import('viem'));
  const { failover } = await import('../../adapters/viem/index.js');
  const transport = failover(
    urls.map((url) => {
      // viem's http transport uses fetch, which refuses URLs with user info.
      const { url: plain, headers } = credentialsAsHeader(url);
      return http(plain, { fetchOptions: { headers } });
    }),
    {
      endpoints: labels.map((label) => ({ label })),
      probeIntervalMs: options.probeIntervalMs,
      logger: options.logger,
    },
  );
  // What a user writes. No chain: the transport checks chain ids only against a known one.
  createPublicClient({ transport });
  return { kind: 'evm', failover: transport.failover, close: () => transport.failover.close() };
}

async function openBeacon(
  urls: readonly string[],
  labels: readonly string[],
  options: WatchClientOptions,
): Promise<WatchClient> {
  const { createBeaconHeadMonitor } = await import('../../adapters/beacon/index.js');
  const monitor = createBeaconHeadMonitor({
    candidates: urls.map((url, i) => ({ url, label: labels[i]! })),
    probeIntervalMs: options.probeIntervalMs,
    logger: options.logger,
  });
  return { kind: 'beacon', monitor, close: () => monitor.close() };
}
