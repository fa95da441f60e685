// One process of the EVM failover benchmark (forked by bench/evm.mjs), for one client kind:
// `viem-fallback`, `viem-rank`, `ethers` or `switchyard`. For every scenario the parent sends, it
// starts a fresh 3-node EvmCluster and a fresh client, says 'ready', waits for 'go' (so the four
// processes run each scenario at the same moment), warms the client up, puts the fault on the
// primary (or, with --target busiest, on the node the client used most), runs the measured closed
// loop and sends back the figures. See bench/evm.mjs.
import { FallbackProvider, JsonRpcProvider, Network } from 'ethers';
import { EvmCluster } from 'switchyard-rpc/testing/viem';
import { failover } from 'switchyard-rpc/viem';
import { createPublicClient, defineChain, fallback, http } from 'viem';
import { collectingLogger } from './lib/collectingLogger.mjs';
import { runWorkload } from './lib/workload.mjs';

const kind = process.argv[2];

// A promise rejection nobody handles is counted (per run) rather than crashing the process: a
// client that leaks one under a fault did badly, the bench did not break.
let unhandledRejections = 0;
process.on('unhandledRejection', () => {
  unhandledRejections += 1;
});

/** Messages from the parent, in order. */
const inbox = [];
let waiting;
process.on('message', (message) => {
  if (waiting) {
    const resolve = waiting;
    waiting = undefined;
    resolve(message);
  } else inbox.push(message);
});
// The parent died: nothing left to report to.
process.on('disconnect', () => process.exit(1));
const receive = () =>
  inbox.length > 0 ? Promise.resolve(inbox.shift()) : new Promise((resolve) => (waiting = resolve));

for (;;) {
  const message = await receive();
  if (message.type === 'exit') break;
  try {
    process.send({ type: 'result', run: await runScenario(message.scenario, message.settings) });
  } catch (error) {
    process.send({ type: 'error', message: String(error?.stack ?? error) });
  }
}
process.removeAllListeners('disconnect');
// Nothing else may keep the process alive: the parent checks that it exits by itself.
process.disconnect();

/** The fresh cluster and client of one scenario, through to the figures of its measured window. */
async function runScenario(scenario, settings) {
  const { callers, warmupMs, durationMs, blockIntervalMs, staleBlocks, cutoffMs } = settings;
  const cluster = await new EvmCluster({ nodes: 3, blockIntervalMs }).start();
  let faulted = cluster.nodes[0];
  const client = createClient(
    kind,
    cluster.nodes.map((node) => node.url),
    cluster.chainId,
    blockIntervalMs,
  );
  const faultChanges = [];
  let setFaultError;
  const setFaults = (faults) => {
    const change = faulted.setFaults(faults).catch((error) => {
      setFaultError ??= error;
    });
    faultChanges.push(change);
    return change;
  };
  const rejectionsBefore = unhandledRejections;
  let cutoffTimer;
  try {
    process.send({ type: 'ready' });
    const go = await receive();
    if (go.type !== 'go') throw new Error(`expected 'go', got '${go.type}'`);

    // Warm-up, not counted: connections open, ethers' initial sync done, switchyard's first probes
    // and viem's first rank samples taken, all on healthy nodes.
    for (const node of cluster.nodes) node.resetStats();
    await runWorkload({ callers, durationMs: warmupMs, call: () => client.call() });
    // Where the client sent its calls before the fault: whether the fault hits the node it uses.
    const warmupNodeCalls = cluster.nodes.map((node) => node.stats().calls);
    for (const node of cluster.nodes) node.resetStats();
    // --target busiest: the fault goes to the node this client used most during the warm-up.
    const faultedIndex =
      settings.target === 'busiest' ? warmupNodeCalls.indexOf(Math.max(...warmupNodeCalls)) : 0;
    faulted = cluster.nodes[faultedIndex];
    const faultAt = performance.now();
    client.markFault?.(faultAt);
    if (scenario.fault) await setFaults(scenario.fault);
    // Flapping: the fault above is on from 0, then off and on again every flapMs.
    const timeline = [];
    if (scenario.flapMs) {
      for (let atMs = scenario.flapMs, on = false; atMs < durationMs; atMs += scenario.flapMs, on = !on) {
        const faults = on ? scenario.fault : clearedFaults(scenario.fault);
        timeline.push({ atMs, run: () => setFaults(faults) });
      }
    }
    // A call still running `cutoffMs` after the end of the run fails as BenchCutoff, so a run always
    // ends. viem's and switchyard's 10 s timeouts end their calls before it; ethers' request
    // timeout (5 min) does not, when a hung primary holds its FallbackProvider call.
    const cutoff = new Promise((_, reject) => {
      cutoffTimer = setTimeout(() => {
        const error = new Error(`still running ${cutoffMs} ms after the end of the run`);
        error.name = 'BenchCutoff';
        reject(error);
      }, durationMs + cutoffMs);
    });
    cutoff.catch(() => {});
    const result = await runWorkload({
      callers,
      durationMs,
      call: () => Promise.race([client.call(), cutoff]).catch(rethrowWithCode),
      // The answer against the cluster head at the moment it arrives.
      inspect: (block) => (cluster.head - Number(block.number) > staleBlocks ? 'stale' : undefined),
      timeline,
    });
    await Promise.all(faultChanges);
    if (setFaultError) throw setFaultError;
    // JSON-RPC calls the nodes received from the fault on, probes, hedges and retries included; a
    // refused connection never reaches a node.
    const nodeCalls = cluster.nodes.map((node) => node.stats().calls);
    const { tags, ...figures } = result;
    return {
      scenario: scenario.id,
      client: kind,
      ...figures,
      stale: tags.stale ?? 0,
      faultedIndex,
      warmupNodeCalls,
      nodeCalls,
      finalHead: cluster.head,
      unhandledRejections: unhandledRejections - rejectionsBefore,
      ...client.details?.(),
    };
  } finally {
    clearTimeout(cutoffTimer);
    await client.close();
    await cluster.close();
  }
}

/**
 * runWorkload counts failures by `error.name`, which is a bare `Error` for ethers and Node: a
 * string `code` (ECONNREFUSED, TIMEOUT) goes into the name of a wrapper, so the table says why.
 */
function rethrowWithCode(error) {
  if (typeof error?.code !== 'string') throw error;
  const wrapped = new Error(error.message, { cause: error });
  wrapped.name = `${error.name ?? 'Error'} ${error.code}`;
  throw wrapped;
}

/** The knobs of `faults`, turned off. */
function clearedFaults(faults) {
  return Object.fromEntries(Object.keys(faults).map((key) => [key, undefined]));
}

/**
 * One client over the three URLs, primary first: `call()` asks it for the latest block, `close()`
 * releases it. Response caches are off everywhere (see bench/evm.mjs): every call is a round trip.
 */
function createClient(kind, urls, chainId, blockIntervalMs) {
  const chain = defineChain({
    id: chainId,
    name: 'Simulated',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [urls[0]] } },
    blockTime: blockIntervalMs,
  });
  const viemClient = (transport) => createPublicClient({ chain, transport, cacheTime: 0 });
  switch (kind) {
    case 'viem-fallback': {
      const client = viemClient(fallback(urls.map((url) => http(url))));
      return { call: () => client.getBlock(), close: async () => {} };
    }
    case 'viem-rank': {
      // rank's loop never stops by itself (it awaits a timer, then samples again, forever). Once
      // closed, the ping never settles: the loop stops at its next sample and holds no timer.
      let closed = false;
      const client = viemClient(
        fallback(
          urls.map((url) => http(url)),
          {
            rank: {
              // switchyard probes every 1000 ms by default: the same cadence (viem's default here
              // would be the client's pollingInterval, blockTime / 2 = 500 ms).
              interval: 1000,
              // viem's default ping is net_listening, which the simulator does not answer (-32601 on
              // every node: rank would score them all 0 and never reorder). net_version is as cheap
              // and node-local and goes through the same faults.
              ping: ({ transport }) =>
                closed ? new Promise(() => {}) : transport.request({ method: 'net_version' }),
            },
          },
        ),
      );
      return {
        call: () => client.getBlock(),
        close: async () => {
          closed = true;
        },
      };
    }
    case 'ethers': {
      const network = new Network('simulated', chainId);
      // staticNetwork: no eth_chainId round trips to detect the network. cacheTimeout -1: no
      // coalescing of identical calls (see bench/evm.mjs). Request timeout, batching (10 ms stall)
      // and stallTimeout (400 ms) stay at ethers' defaults.
      const providers = urls.map((url, i) => ({
        provider: new JsonRpcProvider(url, network, { staticNetwork: network, cacheTimeout: -1 }),
        priority: i + 1,
      }));
      // quorum 1: ethers' default quorum is half the total weight (2 of 3), which sends every call
      // to two nodes and waits for them to agree — a consensus setup, not failover. quorum 1 with
      // priorities 1/2/3 is the failover configuration: ask the primary, add the next provider
      // after stallTimeout. (In 6.17 an error from the primary then fails the call outright,
      // ethers-io/ethers.js#3131, and the next provider's answer is only read once the stalled
      // request settles: see bench/evm.mjs.)
      const provider = new FallbackProvider(providers, network, { quorum: 1, cacheTimeout: -1 });
      return { call: () => provider.getBlock('latest'), close: () => provider.destroy() };
    }
    case 'switchyard': {
      const warnings = [];
      const routeChanges = [];
      let faultAt;
      const transport = failover(
        urls.map((url) => http(url)),
        // Defaults (probe every 1000 ms, lagTolerance 2, hedging on, timeoutMs 10 s); warnings are
        // counted rather than printed.
        { logger: collectingLogger(warnings) },
      );
      transport.failover.on('route-change', (event) => {
        routeChanges.push({
          atMs: faultAt === undefined ? undefined : Math.round(performance.now() - faultAt),
          from: event.from?.label,
          to: event.to?.label,
          reason: event.reason,
        });
      });
      const client = viemClient(transport);
      return {
        call: () => client.getBlock(),
        close: () => transport.failover.close(),
        markFault: (at) => {
          faultAt = at;
          routeChanges.length = 0;
        },
        details: () => {
          const metrics = transport.failover.metrics();
          return {
            // Route changes from the fault on, in ms after it.
            routeChanges,
            warnings: warnings.length,
            firstWarnings: warnings.slice(0, 3),
            // Since the client was created (warm-up included); histograms left out.
            endpoints: metrics.endpoints.map(
              ({ label, state, requests, probes, hedgesFired, hedgesWon }) => ({
                label,
                state,
                requests,
                probes,
                hedgesFired,
                hedgesWon,
              }),
            ),
          };
        },
      };
    }
    default:
      throw new Error(`unknown client kind '${kind}'`);
  }
}
