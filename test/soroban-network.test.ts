import { Networks } from '@stellar/stellar-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { type FailoverServer, type WithFailoverOptions, withFailover } from '../adapters/soroban/index.js';
import { silentLogger } from '../src/index.js';
import { SorobanCluster } from '../testing/index.js';
import { nextEvent, plainServer, waitFor } from './helpers.js';

const running: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of running.splice(0).reverse()) await close();
});

async function start(options: ConstructorParameters<typeof SorobanCluster>[0]): Promise<SorobanCluster> {
  const cluster = await new SorobanCluster({ ledgerIntervalMs: 50, ...options }).start();
  running.push(() => cluster.close());
  return cluster;
}

function wrap(urls: string[], options: WithFailoverOptions = {}): FailoverServer {
  const [own, ...others] = urls;
  const server = withFailover(plainServer(own!), {
    endpoints: others.map((url, i) => ({ url, label: `backup-${i + 1}` })),
    probeIntervalMs: 100,
    logger: silentLogger,
    ...options,
  });
  running.push(() => server.failover.close());
  return server;
}

const endpointOf = (server: FailoverServer, index: number) => server.failover.status().endpoints[index]!;
const stateOf = (server: FailoverServer, index: number) => endpointOf(server, index).state;

describe('withFailover: an endpoint on the wrong network is never used', () => {
  it('a mainnet backup far ahead of a testnet server is down, and no call reaches it', async () => {
    const testnet = await start({ nodes: 1, networkPassphrase: Networks.TESTNET, startLedger: 1000 });
    const mainnet = await start({ nodes: 1, networkPassphrase: Networks.PUBLIC, startLedger: 60_000_000 });
    const server = wrap([testnet.nodes[0]!.url, mainnet.nodes[0]!.url]);
    const refused = nextEvent(
      server.failover,
      'endpoint-degraded',
      (e) => e.endpoint.label === 'backup-1' && /network/.test(e.reason ?? ''),
    );
    expect((await refused).reason).toBe(`wrong network: ${Networks.PUBLIC}, expected ${Networks.TESTNET}`);
    await waitFor(() => stateOf(server, 0) === 'healthy', 'the own server healthy');
    const answers = await Promise.all(Array.from({ length: 50 }, () => server.getNetwork()));
    expect(answers.every((a) => a.passphrase === Networks.TESTNET)).toBe(true);
    // Today it was marked `lagging: 59998999 behind the others`.
    expect(endpointOf(server, 0).lag ?? 0).toBe(0);
    expect(stateOf(server, 0)).not.toBe('lagging');
    expect(endpointOf(server, 1).state).toBe('down');
    expect(mainnet.nodes[0]!.stats().byMethod['getLatestLedger'] ?? 0).toBe(0);
  });

  it('networkPassphrase wins over the wrapped server: a wrapped server on another network is left', async () => {
    const mainnet = await start({ nodes: 1, networkPassphrase: Networks.PUBLIC });
    const testnet = await start({ nodes: 1, networkPassphrase: Networks.TESTNET });
    const server = wrap([mainnet.nodes[0]!.url, testnet.nodes[0]!.url], {
      networkPassphrase: Networks.TESTNET,
    });
    await waitFor(() => stateOf(server, 0) === 'down' && stateOf(server, 1) === 'healthy', 'own server left');
    expect(endpointOf(server, 0).reason).toMatch(/^wrong network: Public Global Stellar Network/);
    const answers = await Promise.all(Array.from({ length: 10 }, () => server.getNetwork()));
    expect(answers.every((a) => a.passphrase === Networks.TESTNET)).toBe(true);
  });
});

describe('withFailover: the lag reference is the freshest credible head', () => {
  it.each([2, 3])(
    'with %i endpoints, a node ahead of the ledger clock is the suspect, not the others',
    async (n) => {
      const cluster = await start({ nodes: n });
      const server = wrap(cluster.nodes.map((node) => node.url));
      // Let the clock be learned from a few closed ledgers.
      await waitFor(
        () => server.failover.status().endpoints.every((e) => e.state === 'healthy'),
        'all healthy',
      );
      await cluster.waitForLedger(cluster.head + 6);
      await cluster.nodes[n - 1]!.setFaults({ ahead: 300 });
      await waitFor(() => stateOf(server, n - 1) === 'lagging', 'the jumped node suspect');
      expect(endpointOf(server, n - 1).reason).toMatch(/ahead of the chain's clock/);
      // Today's lower median of the others made every honest node 300 behind.
      for (let i = 0; i < n - 1; i++) expect(endpointOf(server, i).lag ?? 0).toBeLessThanOrEqual(5);
      for (let i = 0; i < n - 1; i++) expect(stateOf(server, i)).not.toBe('lagging');
    },
  );

  it('two of three nodes behind (one lost ledgers, one stalled) are lagging; answers stay fresh', async () => {
    const cluster = await start({ nodes: 3 });
    const server = wrap(cluster.nodes.map((node) => node.url));
    await waitFor(
      () => server.failover.status().endpoints.every((e) => e.state === 'healthy'),
      'all healthy',
    );
    await cluster.nodes[0]!.setFaults({ lag: 8 });
    await cluster.nodes[1]!.setFaults({ stalled: true });
    await waitFor(
      () => stateOf(server, 0) === 'lagging' && stateOf(server, 1) === 'lagging',
      'both stale nodes lagging',
    );
    expect(stateOf(server, 2)).toBe('healthy');
    for (let i = 0; i < 20; i++) {
      const { sequence } = await server.getLatestLedger();
      expect(cluster.head - sequence).toBeLessThanOrEqual(5);
    }
  });
});
