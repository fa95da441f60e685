// One worker process of bench/probeCost.mjs: an rpc.Server wrapped with withFailover over the given
// nodes, idle (no user calls), sharing health through a FileStateStore when given a path. Config
// as JSON in argv[2]: `{ nodes: [{ url, label }], statePath }` (statePath null: no store). Over IPC
// it sends 'ready', answers 'status' with `{ type: 'status', ageMs, endpoints: [{ label,
// probesPerMinute }] }`, and on 'stop' (or when the parent goes away) closes the failover and the store; then it exits by
// itself.
import { rpc } from '@stellar/stellar-sdk';
import { FileStateStore, silentLogger } from 'switchyard-rpc';
import { withFailover } from 'switchyard-rpc/soroban';

const { nodes, statePath } = JSON.parse(process.argv[2]);
const stateStore = statePath ? new FileStateStore({ path: statePath, logger: silentLogger }) : undefined;
const createdAt = performance.now();
const server = withFailover(new rpc.Server(nodes[0].url, { allowHttp: true }), {
  endpoints: nodes,
  logger: silentLogger,
  stateStore,
});

let closing;
function shutdown() {
  closing ??= (async () => {
    await server.failover.close();
    // The store is the app's, not the failover's.
    await stateStore?.close();
    if (process.connected) process.disconnect();
  })();
  return closing;
}

process.on('message', (message) => {
  if (message === 'status') {
    const endpoints = server.failover
      .status()
      .endpoints.map((e) => ({ label: e.label, probesPerMinute: e.probesPerMinute }));
    process.send({ type: 'status', ageMs: performance.now() - createdAt, endpoints });
  } else if (message === 'stop') {
    void shutdown();
  }
});
// The parent gone: nobody to report to.
process.once('disconnect', () => void shutdown());
process.send('ready');
