import type { BeaconHeadMonitor } from 'switchyard-rpc/beacon';
import { createBeaconHeadMonitor } from 'switchyard-rpc/beacon';
import { type FailoverServer, withFailover } from '../adapters/soroban/index.js';
import { silentLogger } from '../src/index.js';
import { BeaconCluster, SorobanCluster } from '../testing/index.js';
import { API_KEYS } from './apiKeys.js';
import { plainServer, waitFor } from './helpers.js';

/** Credentials put in the endpoints' URLs (path, query, user info) and headers: none may be shown. */
export const DASHBOARD_SECRETS = [
  API_KEYS.infura,
  API_KEYS.short13,
  API_KEYS.tilde,
  API_KEYS.padded,
  'hunter2',
];

export interface DashboardCluster {
  soroban: SorobanCluster;
  beacon: BeaconCluster;
  server: FailoverServer;
  monitor: BeaconHeadMonitor;
  /** The Soroban endpoints' labels, in order. */
  labels: string[];
  close(): Promise<void>;
}

/**
 * What the dashboard tests show: three simulated Soroban RPC nodes behind `withFailover` (the first
 * labelled, the second with a key in its path and query, the third with user info and a key header)
 * and two simulated beacon nodes under a head monitor, every one probed and settled. Probes every 250 ms:
 * long enough that a loaded machine does not time them out (at 80 % of it).
 */
export async function startDashboardCluster(probeIntervalMs = 250): Promise<DashboardCluster> {
  const [soroban, beacon] = await Promise.all([
    new SorobanCluster({ nodes: 3, ledgerIntervalMs: 200 }).start(),
    new BeaconCluster({ nodes: 2, slotMs: 250, keepAliveMs: 50 }).start(),
  ]);
  const [a, b, c] = soroban.nodes.map((node) => node.url.replace(/\/$/, ''));
  const server = withFailover(plainServer(a!), {
    endpoints: [
      { url: a!, label: 'node-a' },
      `${b}/rpc/${API_KEYS.infura}?apikey=${API_KEYS.short13}`,
      { url: c!.replace('http://', 'http://user:hunter2@'), headers: { 'X-Api-Key': API_KEYS.padded } },
    ],
    probeIntervalMs,
    logger: silentLogger,
  });
  const monitor = createBeaconHeadMonitor({
    candidates: beacon.nodes.map((node, i) => ({
      url: node.url,
      label: `bn-${i + 1}`,
      headers: { Authorization: `Bearer ${API_KEYS.tilde}` },
    })),
    genesisTime: beacon.genesisTime,
    secondsPerSlot: beacon.slotMs / 1000,
    logger: silentLogger,
  });
  const close = async () => {
    await Promise.all([server.failover.close(), monitor.close()]);
    await Promise.all([soroban.close(), beacon.close()]);
  };
  try {
    await waitFor(
      () => server.failover.status().endpoints.every((e) => e.state === 'healthy'),
      'every Soroban endpoint healthy',
      10_000,
    );
  } catch (error) {
    await close();
    throw error;
  }
  const labels = server.failover.status().endpoints.map((e) => e.label);
  return { soroban, beacon, server, monitor, labels, close };
}
