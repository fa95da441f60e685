// What `switchyard-rpc/otel` costs per call: one failover instance per variant, in one process, each
// making calls whose attempt answers at once (no network: the figure is switchyard's own CPU).
//
//   npm run build && node bench/otel.mjs            # about 40 s
//   npm run build && node bench/otel.mjs --quick    # about 5 s
//
// Variants: `plain` (not instrumented); `no SDK` (instrument() with no provider registered: the API's
// no-op tracer and meter, what a library user who never set up OpenTelemetry gets); `SDK` (the real
// tracer and meter providers, every span sampled and handed to a batch processor whose exporter
// drops it, histograms recorded). Rounds alternate the variants (A B C C B A ...) on this shared
// machine; the table gives the median CPU µs per call over the rounds and the extra over `plain`.
//
// Prints a table and writes bench/results/otel.json. Exit code 1 only if the bench broke.
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createFailover, silentLogger } from 'switchyard-rpc';
import { instrument } from 'switchyard-rpc/otel';
import { benchArgs, cell, printTable, round, writeResult } from './lib/report.mjs';

const startedAt = performance.now();
const { quick } = benchArgs();
const ROUNDS = quick ? 3 : 9;
const CALLS = quick ? 20_000 : 100_000;

/** An exporter that takes every batch and keeps nothing: what the SDK costs, not a backend. */
const dropping = {
  export: (_items, done) => done({ code: 0 }),
  shutdown: async () => {},
  forceFlush: async () => {},
};

function instance() {
  return createFailover({
    endpoints: [
      { url: 'http://127.0.0.1:1/', label: 'a' },
      { url: 'http://127.0.0.1:2/', label: 'b' },
    ],
    probe: { check: async () => ({ ok: true, latencyMs: 1, head: 1 }) },
    logger: silentLogger,
  });
}

const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropping)] });
const meterProvider = new MeterProvider({
  readers: [
    new PeriodicExportingMetricReader({
      exporter: {
        export: (_m, done) => done({ code: 0 }),
        shutdown: async () => {},
        forceFlush: async () => {},
      },
      exportIntervalMillis: 60_000,
    }),
  ],
});

const variants = [
  { name: 'plain', failover: instance() },
  { name: 'no SDK', failover: instance(), setUp: (f) => instrument(f) },
  { name: 'SDK', failover: instance(), setUp: (f) => instrument(f, { tracerProvider, meterProvider }) },
];
for (const variant of variants) {
  variant.setUp?.(variant.failover);
  variant.samples = [];
}
// Let the first probes make both endpoints healthy.
await new Promise((resolve) => setTimeout(resolve, 100));

const answer = Promise.resolve('answer');
const attempt = () => answer;
const options = { method: 'getLatestLedger' };

/** CPU µs per call over `CALLS` sequential calls. */
async function measure(failover) {
  const before = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) await failover.call(attempt, options);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / CALLS;
}

try {
  for (const variant of variants) await measure(variant.failover); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) variant.samples.push(await measure(variant.failover));
  }
  const median = (samples) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];
  const plain = median(variants[0].samples);
  const rows = variants.map(({ name, samples }) => {
    const us = median(samples);
    return { name, usPerCall: round(us), extraUs: round(us - plain) };
  });
  const header = ['variant', 'CPU µs/call', 'extra µs'];
  const table = rows.map((r) => [r.name, cell(r.usPerCall, 2), cell(r.extraUs, 2)]);
  printTable(
    `switchyard-rpc/otel: CPU per call, median of ${ROUNDS} rounds of ${CALLS} calls`,
    header,
    table,
  );
  writeResult('otel', {
    quick,
    startedAt,
    rows,
    tables: [{ title: 'OpenTelemetry cost per call', header, rows: table }],
  });
} finally {
  await Promise.all(variants.map(({ failover }) => failover.close()));
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
}
