import {
  EvmCluster,
  type EvmClusterOptions,
  EvmSimulator,
  type EvmSimulatorStartOptions,
} from '../testing/viem.js';

const running: Array<{ close(): Promise<void> }> = [];

/** A standalone simulated node (manual block clock by default), closed by {@link closeSimulators}. */
export async function startSim(options: EvmSimulatorStartOptions = {}): Promise<EvmSimulator> {
  const sim = await EvmSimulator.start({ blockIntervalMs: 0, ...options });
  running.push(sim);
  return sim;
}

/** A simulated cluster (manual block clock by default), closed by {@link closeSimulators}. */
export async function startCluster(options: EvmClusterOptions = {}): Promise<EvmCluster> {
  const cluster = await new EvmCluster({ blockIntervalMs: 0, ...options }).start();
  running.push(cluster);
  return cluster;
}

/** Registers anything else to close with the simulators (a watch, a raw socket, a spy). */
export function closeAfterwards(item: { close(): Promise<void> }): void {
  running.push(item);
}

/** Closes every node, cluster and registered item since the last call. */
export async function closeSimulators(): Promise<void> {
  await Promise.all(running.splice(0).map((item) => item.close()));
}
