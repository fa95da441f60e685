// Beacon head streams under faults: a naive client (one `eventsource` EventSource per node, its
// own default reconnect, the union of the heads it sees) against `createBeaconHeadMonitor`, both
// connected to the same 3 simulated beacon nodes at the same time, so they see the same slots and
// the same faults.
//
//   npm run build && node bench/beacon.mjs           # slots of 1 s, about 70 s
//   npm run build && node bench/beacon.mjs --quick   # slots of 250 ms, under 15 s
//
// Three scenarios run side by side, each on its own cluster (keep-alives on):
//   mixed    — node-a's streams dropped every 2 slots; node-b's streams stall for a while, then
//              flow again; node-c sends a malformed event every 4 slots (invalid JSON, a `block`
//              event, a head without `block`, in turn).
//   rolling  — no node is healthy throughout: each node is faulty 2 phases out of 3, staggered, so
//              in every phase after the first the only fault-free node is the one whose fault has
//              just ended, and the union depends on how fast it comes back. node-a refuses
//              connections (restarting), node-b stalls, node-c's streams are dropped every slot.
//   restart  — node-a's streams are dropped and it answers 503 (syncing) for longer than
//              eventsource's 3 s retry, then recovers; node-b and node-c stay healthy.
// Every scenario ends with a fault-free tail longer than eventsource's retry, so a client that
// comes back at all is seen coming back.
//
// Figures, per client: slots the cluster produced that the client never delivered (a slot counts
// when any node's stream delivered its head; the monitor also counts its REST re-read after a
// reconnect), the longest time without a new head, per node the time from the end of each fault to
// the stream's reopening and to the node's next head through that client (a one-off fault — a drop,
// a malformed event — only where it broke that client's stream; 'superseded' when another fault
// broke it again before a head came, 'never' when no head came before the end), and interruptions
// of healthy streams (a stream lost while its node had no fault: switchyard's `stream-lost` events,
// eventsource's `error` events). The monitor's per-node times are read from status() every 5 ms.
//
// Caveats: eventsource retries after a fixed 3 s whatever the slot length, so with short slots its
// figures in slots look worse than they would with 12 s mainnet slots. The monitor retries a node
// that failed again at the next slot boundary, so its reopen time after a refused or 503 node
// comes back grows with the slot (up to a slot: 12 s on mainnet, where eventsource's 3 s is
// faster). A stalled stream here resumes on the same connection when the stall ends (the simulator
// stops and restarts writing), the best case for a client with no stall detection.
import { loadavg } from 'node:os';
import { EventSource } from 'eventsource';
import { silentLogger } from 'switchyard-rpc';
import { createBeaconHeadMonitor } from 'switchyard-rpc/beacon';
import { BeaconCluster } from 'switchyard-rpc/testing/beacon';
import { benchArgs, cell, percentiles, printTable, round, writeResult } from './lib/report.mjs';

const startedAt = performance.now();
const loadAtStart = loadavg()[0];
const { quick } = benchArgs();

const SLOT_MS = quick ? 250 : 1000;
const KEEP_ALIVE_MS = quick ? 100 : 300;
/** eventsource's default reconnection delay (the server can change it with `retry:`; beacon nodes do not). */
const EVENTSOURCE_RETRY_MS = 3000;
/** Fault-free slots at the end: eventsource's retry, plus room for a head to arrive. */
const TAIL_SLOTS = Math.ceil((EVENTSOURCE_RETRY_MS + 750) / SLOT_MS) + 1;
/** After a fault ends (or a one-off fault happens), losses within this long are the fault's. */
const FAULT_GRACE_MS = SLOT_MS + 100;
/** How often the monitor's per-node counters are read. */
const POLL_MS = 5;
const NODE_LABELS = ['node-a', 'node-b', 'node-c'];
const MALFORMED_KINDS = ['json', 'unexpected-event', 'missing-fields'];
const CLIENTS = ['naive', 'switchyard'];

const now = () => performance.timeOrigin + performance.now();

// ----- scenarios: fault steps in slots from the first measured slot's boundary -----

/** A step: `at` slots after the window starts, on node `node`. */
function mixedSteps(faultSlots) {
  const steps = [];
  for (let k = 0; k < faultSlots; k += 2) steps.push({ at: k + 0.5, node: 0, action: 'drop' });
  steps.push({ at: Math.round(faultSlots * 0.25) + 0.5, node: 1, action: 'stall-start' });
  steps.push({ at: Math.round(faultSlots * 0.6) + 0.5, node: 1, action: 'stall-end' });
  let kind = 0;
  for (let k = 1; k < faultSlots; k += 4) {
    steps.push({ at: k + 0.5, node: 2, action: 'malformed', kind: MALFORMED_KINDS[kind++ % 3] });
  }
  return steps;
}

/** Node i is faulty in phase p when (p - i) mod 3 is 0 or 1: two nodes down at any time. */
function rollingSteps(phaseSlots, phases) {
  const steps = [];
  const faulty = (p, i) => p >= 0 && p < phases && (((p - i) % 3) + 3) % 3 !== 2;
  for (let i = 0; i < 3; i++) {
    for (let p = 0; p < phases; p++) {
      const at = p * phaseSlots + 0.5;
      const starts = faulty(p, i) && !faulty(p - 1, i);
      const ends = !faulty(p, i) && faulty(p - 1, i);
      if (i === 0 && starts) steps.push({ at, node: 0, action: 'refuse-start' });
      if (i === 0 && ends) steps.push({ at, node: 0, action: 'refuse-end' });
      if (i === 1 && starts) steps.push({ at, node: 1, action: 'stall-start' });
      if (i === 1 && ends) steps.push({ at, node: 1, action: 'stall-end' });
      if (i === 2 && faulty(p, i)) {
        for (let k = 0; k < phaseSlots; k++) steps.push({ at: at + k, node: 2, action: 'drop' });
      }
    }
    if (faulty(phases - 1, i) && i === 0)
      steps.push({ at: phases * phaseSlots + 0.5, node: 0, action: 'refuse-end' });
    if (faulty(phases - 1, i) && i === 1)
      steps.push({ at: phases * phaseSlots + 0.5, node: 1, action: 'stall-end' });
  }
  return steps;
}

function restartSteps(unavailableSlots) {
  return [
    { at: 2.5, node: 0, action: 'unavailable-start' },
    { at: 2.5 + unavailableSlots, node: 0, action: 'unavailable-end' },
  ];
}

const unavailableSlots = Math.ceil((EVENTSOURCE_RETRY_MS + 1000) / SLOT_MS);
// The same three scenarios in both modes; the full run only gives them more slots.
const SIZES = quick
  ? { mixed: 16, rollingPhase: 4, restart: 3 + unavailableSlots }
  : { mixed: 60, rollingPhase: 10, restart: 30 };
const SCENARIOS = [
  {
    name: 'mixed',
    faults: ['dropped every 2 slots', 'stalled, then flows', 'malformed every 4 slots'],
    faultSlots: SIZES.mixed,
    steps: mixedSteps(SIZES.mixed),
  },
  {
    name: 'rolling',
    faults: ['refuses 2 phases of 3', 'stalls 2 phases of 3', 'dropped every slot, 2 phases of 3'],
    faultSlots: SIZES.rollingPhase * 6,
    steps: rollingSteps(6, SIZES.rollingPhase),
  },
  {
    name: 'restart',
    faults: [`dropped, then 503 for ${unavailableSlots} slots`, 'healthy', 'healthy'],
    faultSlots: SIZES.restart,
    steps: restartSteps(unavailableSlots),
  },
];

// ----- the two clients -----

/** Per client: heads by node (receipt times), first delivery per slot, stream events. */
function newObservations() {
  return {
    firstBySlot: new Map(),
    newHeadTimes: [],
    maxSlot: -1,
    nodeHeads: NODE_LABELS.map(() => []),
    opens: NODE_LABELS.map(() => []),
    losses: NODE_LABELS.map(() => []),
    gaveUp: NODE_LABELS.map(() => undefined),
    malformedSkipped: NODE_LABELS.map(() => 0),
  };
}

function delivered(obs, slot, at) {
  if (!obs.firstBySlot.has(slot)) obs.firstBySlot.set(slot, at);
  if (slot > obs.maxSlot) {
    obs.maxSlot = slot;
    obs.newHeadTimes.push(at);
  }
}

/** What a developer writes without switchyard: one EventSource per node, default options. */
function startNaive(cluster, obs) {
  return cluster.nodes.map((node, i) => {
    const source = new EventSource(`${node.url}eth/v1/events?topics=head`);
    source.addEventListener('open', () => obs.opens[i].push(now()));
    source.addEventListener('error', (event) => {
      const at = now();
      obs.losses[i].push({ at, reason: event.message ?? 'error' });
      // A non-200 answer (503 while syncing) closes an EventSource for good.
      if (source.readyState === source.CLOSED) obs.gaveUp[i] ??= at;
    });
    source.addEventListener('head', (event) => {
      const at = now();
      let head;
      try {
        head = JSON.parse(event.data);
      } catch {
        obs.malformedSkipped[i]++;
        return;
      }
      if (typeof head?.slot !== 'string' || typeof head.block !== 'string') {
        obs.malformedSkipped[i]++;
        return;
      }
      const slot = Number(head.slot);
      obs.nodeHeads[i].push(at);
      delivered(obs, slot, at);
    });
    return source;
  });
}

function startSwitchyard(cluster, obs) {
  const monitor = createBeaconHeadMonitor({
    candidates: cluster.nodes.map((node, i) => ({ url: node.url, label: NODE_LABELS[i] })),
    logger: silentLogger,
  });
  const index = (endpoint) => NODE_LABELS.indexOf(endpoint.label);
  monitor.on('head', (head) => delivered(obs, head.slot, now()));
  monitor.on('stream-open', (e) => obs.opens[index(e.endpoint)].push(now()));
  monitor.on('stream-lost', (e) =>
    obs.losses[index(e.endpoint)].push({ at: now(), reason: e.reason, wasOpen: e.wasOpen }),
  );
  // Heads a node delivered that another node delivered first are not announced: read the counters.
  const seen = NODE_LABELS.map(() => 0);
  const poll = setInterval(() => {
    const at = now();
    for (const stream of monitor.status().streams) {
      const i = NODE_LABELS.indexOf(stream.label);
      const received = stream.metrics.headsReceived;
      if (received > seen[i]) obs.nodeHeads[i].push(at);
      seen[i] = received;
    }
  }, POLL_MS);
  return { monitor, poll };
}

// ----- running one scenario -----

async function waitFor(predicate, timeoutMs, what) {
  const until = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function runScenario(scenario) {
  const cluster = await new BeaconCluster({
    nodes: NODE_LABELS.map((name) => ({ name })),
    slotMs: SLOT_MS,
    keepAliveMs: KEEP_ALIVE_MS,
  }).start();
  const obs = { naive: newObservations(), switchyard: newObservations() };
  const sources = startNaive(cluster, obs.naive);
  const { monitor, poll } = startSwitchyard(cluster, obs.switchyard);
  const timers = [];
  try {
    // Warm-up: every stream of both clients open, both at the cluster's head, timing discovered.
    await waitFor(
      () =>
        sources.every((s) => s.readyState === s.OPEN) &&
        monitor.status().timing !== undefined &&
        monitor.status().streams.every((s) => s.connected) &&
        obs.naive.maxSlot >= cluster.slot &&
        obs.switchyard.maxSlot >= cluster.slot &&
        cluster.slot > 0,
      10_000 + 20 * SLOT_MS,
      `${scenario.name}: streams open`,
    );
    const boundary = (slot) => cluster.genesisTime * 1000 + slot * SLOT_MS;
    const firstSlot = cluster.slot + 2;
    const lastSlot = firstSlot + scenario.faultSlots + TAIL_SLOTS - 1;
    const t0 = boundary(firstSlot);
    const windows = NODE_LABELS.map(() => []);
    const open = NODE_LABELS.map(() => undefined);
    const actions = {
      drop: (node, i) => {
        const at = now();
        node.dropStreams();
        windows[i].push({ kind: 'drop', start: at, end: at, reopen: true });
      },
      malformed: (node, i, step) => {
        const at = now();
        node.sendMalformed(step.kind);
        windows[i].push({ kind: `malformed ${step.kind}`, start: at, end: at, reopen: false });
      },
      'stall-start': async (node, i) => {
        open[i] = { kind: 'stall', start: now(), reopen: false };
        await node.setFaults({ stallStreams: true });
      },
      'refuse-start': async (node, i) => {
        open[i] = { kind: 'refuse', start: now(), reopen: true };
        await node.setFaults({ refuse: true });
      },
      'unavailable-start': async (node, i) => {
        open[i] = { kind: 'drop + 503', start: now(), reopen: true };
        await node.setFaults({ unavailable: true });
        node.dropStreams();
      },
    };
    const end = async (node, i) => {
      await node.clearFaults();
      windows[i].push({ ...open[i], end: now() });
      open[i] = undefined;
    };
    for (const step of scenario.steps) {
      const node = cluster.nodes[step.node];
      const run = actions[step.action] ?? end;
      timers.push(
        setTimeout(
          () => {
            Promise.resolve(run(node, step.node, step)).catch((error) => {
              process.stderr.write(`${scenario.name}: ${step.action} failed: ${error}\n`);
              process.exitCode = 1;
            });
          },
          Math.max(0, t0 + step.at * SLOT_MS - now()),
        ),
      );
    }
    const windowEnd = boundary(lastSlot + 1);
    // The last slot's head, and any reconnection in flight, get until the next boundary plus a bit.
    await new Promise((resolve) => setTimeout(resolve, windowEnd + 150 - now()));
    for (const [i, w] of open.entries()) if (w) windows[i].push({ ...w, end: now() });
    return summarise(scenario, obs, windows, { firstSlot, lastSlot, t0, windowEnd });
  } finally {
    for (const timer of timers) clearTimeout(timer);
    clearInterval(poll);
    for (const source of sources) source.close();
    await monitor.close();
    await cluster.close();
  }
}

// ----- figures -----

function summarise(scenario, obs, windows, { firstSlot, lastSlot, t0, windowEnd }) {
  const slots = [];
  for (let s = firstSlot; s <= lastSlot; s++) slots.push(s);
  const inFault = (i, at) => windows[i].some((w) => at >= w.start && at <= w.end + FAULT_GRACE_MS);
  const clients = {};
  for (const client of CLIENTS) {
    const o = obs[client];
    const missed = slots.filter((s) => !o.firstBySlot.has(s));
    // Gaps between new heads, from the last head before the window to its end.
    const before = o.newHeadTimes.filter((t) => t < t0);
    const times = [
      before.at(-1) ?? t0,
      ...o.newHeadTimes.filter((t) => t >= t0 && t <= windowEnd),
      windowEnd,
    ];
    const gaps = times.slice(1).map((t, k) => t - times[k]);
    const longestGapMs = Math.max(...gaps);
    const nodes = NODE_LABELS.map((label, i) => {
      const heads = o.nodeHeads[i].filter((t) => t >= t0 && t <= windowEnd);
      const losses = o.losses[i].filter((l) => l.at >= t0 && l.at <= windowEnd);
      const healthyLosses = losses.filter((l) => !inFault(i, l.at));
      // A loss is the doing of the last fault that began before it (within the grace).
      const hit = new Set(windows[i].filter((w) => w.end > w.start));
      for (const loss of o.losses[i]) {
        const cause = windows[i].findLast((w) => w.start <= loss.at);
        if (cause && loss.at <= cause.end + FAULT_GRACE_MS) hit.add(cause);
      }
      const hits = windows[i].filter((w) => hit.has(w));
      const recoveries = hits.map((w) => recovery(w, hits, o.nodeHeads[i], o.opens[i], windowEnd));
      const recovered = recoveries.filter((r) => r.headMs !== undefined);
      return {
        label,
        fault: scenario.faults[i],
        headsReceived: heads.length,
        losses: losses.length,
        healthyInterruptions: healthyLosses.length,
        healthyInterruptionReasons: healthyLosses.map((l) => l.reason),
        gaveUpAtMs: o.gaveUp[i] === undefined ? undefined : round(o.gaveUp[i] - t0),
        malformedSkipped: o.malformedSkipped[i],
        faults: recoveries.length,
        recovered: recovered.length,
        superseded: recoveries.filter((r) => r.outcome === 'superseded').length,
        never: recoveries.filter((r) => r.outcome === 'never').length,
        reopenMs: percentiles(recoveries.map((r) => r.reopenMs).filter((v) => v !== undefined)),
        nextHeadMs: percentiles(recovered.map((r) => r.headMs)),
        recoveries,
      };
    });
    clients[client] = {
      slotsProduced: slots.length,
      slotsDelivered: slots.length - missed.length,
      missed,
      longestGapMs: round(longestGapMs),
      longestGapSlots: round(longestGapMs / SLOT_MS, 1),
      healthyInterruptions: nodes.reduce((sum, n) => sum + n.healthyInterruptions, 0),
      nodes,
    };
  }
  return {
    name: scenario.name,
    slotMs: SLOT_MS,
    firstSlot,
    lastSlot,
    windows: windows.map(relative(t0)),
    clients,
  };
}

function relative(t0) {
  return (list) =>
    list.map((w) => ({ kind: w.kind, startMs: round(w.start - t0), endMs: round(w.end - t0) }));
}

/**
 * After fault `w` ends: time to the stream's reopening (faults that break it) and to the node's next
 * head through this client. Only faults that hit this client count (`hits`): a one-off fault — a
 * drop, a malformed event — only where it broke this client's stream (eventsource skips malformed
 * events, and a drop finds no stream while eventsource waits to retry). 'superseded' when another
 * fault hit the node's stream before a head came, 'never' when none came before the end.
 */
function recovery(w, all, heads, opens, windowEnd) {
  const next = all.find((x) => x.start > w.end)?.start ?? Number.POSITIVE_INFINITY;
  const limit = Math.min(next, windowEnd + 150);
  const head = heads.find((t) => t > w.end && t <= limit);
  const reopen = w.reopen ? opens.find((t) => t > w.end && t <= limit) : undefined;
  return {
    kind: w.kind,
    outcome: head !== undefined ? 'recovered' : next <= windowEnd ? 'superseded' : 'never',
    reopenMs: reopen === undefined ? undefined : round(reopen - w.end),
    headMs: head === undefined ? undefined : round(head - w.end),
  };
}

// ----- main -----

const results = await Promise.all(SCENARIOS.map(runScenario));

const summaryHeader = [
  'scenario',
  'client',
  'slots',
  'missed',
  'longest gap ms',
  'gap slots',
  'healthy-stream interruptions',
  'recovered/hit',
  'reopen p50 ms',
  'next head p50 ms',
  'next head max ms',
];
const summaryRows = results.flatMap((r) =>
  CLIENTS.map((client) => {
    const c = r.clients[client];
    const all = c.nodes.flatMap((n) => n.recoveries);
    const reopen = percentiles(all.map((x) => x.reopenMs).filter((v) => v !== undefined));
    const head = percentiles(all.map((x) => x.headMs).filter((v) => v !== undefined));
    return [
      r.name,
      client,
      c.slotsProduced,
      c.missed.length,
      cell(c.longestGapMs),
      cell(c.longestGapSlots, 1),
      c.healthyInterruptions,
      `${all.filter((x) => x.outcome === 'recovered').length}/${all.length}`,
      cell(reopen.p50),
      cell(head.p50),
      cell(head.max),
    ];
  }),
);
const title = `Beacon head streams, 3 nodes, slots of ${SLOT_MS} ms, keep-alive ${KEEP_ALIVE_MS} ms: naive eventsource vs createBeaconHeadMonitor`;
printTable(title, summaryHeader, summaryRows);

const nodeHeader = [
  'scenario',
  'node',
  'fault',
  'client',
  'heads',
  'losses',
  'healthy int.',
  'recovered/hit',
  'superseded',
  'never',
  'reopen p50/max ms',
  'next head p50/max ms',
  'gave up at ms',
];
const nodeRows = results.flatMap((r) =>
  r.clients.naive.nodes.flatMap((_, i) =>
    CLIENTS.map((client) => {
      const n = r.clients[client].nodes[i];
      return [
        r.name,
        n.label,
        n.fault,
        client,
        n.headsReceived,
        n.losses,
        n.healthyInterruptions,
        `${n.recovered}/${n.faults}`,
        n.superseded,
        n.never,
        `${cell(n.reopenMs.p50)}/${cell(n.reopenMs.max)}`,
        `${cell(n.nextHeadMs.p50)}/${cell(n.nextHeadMs.max)}`,
        cell(n.gaveUpAtMs),
      ];
    }),
  ),
);
printTable(
  'Per node (heads: receipts through that client, duplicates and REST re-reads included)',
  nodeHeader,
  nodeRows,
);

writeResult('beacon', {
  quick,
  startedAt,
  // Other processes on the machine (1-minute load average at the start and the end).
  loadAverage1m: [round(loadAtStart), round(loadavg()[0])],
  slotMs: SLOT_MS,
  keepAliveMs: KEEP_ALIVE_MS,
  tailSlots: TAIL_SLOTS,
  tables: [
    { title, header: summaryHeader, rows: summaryRows },
    { title: 'Per node', header: nodeHeader, rows: nodeRows, detail: true },
  ],
  scenarios: results,
});
