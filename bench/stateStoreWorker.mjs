// One process of the state store benchmark (forked by bench/stateStore.mjs), on a memory, file or
// Redis store. Waits for 'go' so every process starts at the same moment, makes `count` increments
// of one counter through `update()` from `inFlight` concurrent loops (1: one after another), and
// sends back what each took.
import { FileStateStore, MemoryStateStore } from 'switchyard-rpc';

// The record whose `head` is the shared counter; bench/stateStore.mjs reads the same one.
const COUNTER_ID = 'bench';

// `location`: JSON, { path } of the file store, or { url, namespace } of the Redis store.
const [storeKind, locationText, countText, inFlightText] = process.argv.slice(2);
const location = JSON.parse(locationText);
const count = Number(countText);
const inFlight = Number(inFlightText);

/** The next state with the counter one higher; a new object, as `update` asks. */
function increment(state) {
  const head = (state.endpoints[COUNTER_ID]?.head ?? 0) + 1;
  return {
    ...state,
    endpoints: { ...state.endpoints, [COUNTER_ID]: { ok: true, latencyMs: 0, head, checkedAt: Date.now() } },
  };
}

async function openStore() {
  if (storeKind === 'memory') return new MemoryStateStore();
  if (storeKind === 'file') return new FileStateStore(location);
  // Imported only here: the file and memory runs need no Redis client.
  const { RedisStateStore } = await import('switchyard-rpc/redis');
  return new RedisStateStore(location);
}

async function run() {
  // Errors are counted, not thrown: a lock that cannot be taken under contention is a finding.
  const store = await openStore();
  const latencies = [];
  let errors = 0;
  let firstError;
  let remaining = count;
  // Concurrent loops, like several failover instances or endpoints of one process updating at once.
  const loop = async () => {
    while (remaining > 0) {
      // Taken before the await: the other loops must not count this update again.
      remaining--;
      const before = performance.now();
      try {
        await store.update(increment);
        latencies.push(performance.now() - before);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, loop));
  const wallMs = performance.now() - started;
  // The memory store lives only in this process: its final counter is reported from here.
  const counter = (await store.read()).endpoints[COUNTER_ID]?.head ?? 0;
  await store.close();
  return { pid: process.pid, updates: latencies.length, errors, firstError, wallMs, latencies, counter };
}

process.once('message', (message) => {
  if (message !== 'go') return;
  run().then(
    (result) => process.send(result, () => process.disconnect()),
    (error) => {
      process.stderr.write(`${error?.stack ?? error}\n`);
      process.exitCode = 1;
      process.disconnect();
    },
  );
});
process.send('ready');
