import type { Attributes, Histogram, Meter } from '@opentelemetry/api';
import type { FailoverObserver } from '../../src/index.js';
import { LATENCY_BUCKETS_MS } from '../../src/metrics/LatencyHistogram.js';
import { memo } from './memo.js';

/** The Prometheus exporter's buckets, in seconds: both exporters cut latencies the same way. */
const BOUNDARIES_S = LATENCY_BUCKETS_MS.map((ms) => ms / 1000);

function histogram(meter: Meter, name: string, description: string): Histogram {
  return meter.createHistogram(name, {
    description,
    unit: 's',
    advice: { explicitBucketBoundaries: BOUNDARIES_S },
  });
}

type RequestOutcome = 'ok' | 'error' | 'rejected';

/**
 * Records the durations of calls, requests and probes as they end, in seconds. OpenTelemetry has no
 * histogram read from a snapshot, so unlike the counters these count from `instrument()` on. The
 * attributes of each series are built once and reused: a call allocates no attribute object.
 *
 * @example
 * const stop = failover.observe(durationHistograms(meter, { 'switchyard.client': 'soroban' }));
 */
export function durationHistograms(meter: Meter, base: Attributes): FailoverObserver {
  const calls = histogram(meter, 'switchyard.call.duration', 'Duration of calls, all attempts included.');
  const requests = histogram(
    meter,
    'switchyard.request.duration',
    'Duration of requests that answered or failed.',
  );
  const probes = histogram(meter, 'switchyard.probe.duration', 'Duration of health probes.');
  const callAttributes = memo((key: string) => {
    const [result, method] = key.split(' ', 2) as [string, string | undefined];
    return { ...base, 'switchyard.call.result': result, ...(method ? { 'rpc.method': method } : {}) };
  });
  const endpointAttributes = (extra: Record<string, string>) => (label: string) => ({
    ...base,
    'switchyard.endpoint': label,
    ...extra,
  });
  const requestAttributes = {
    ok: memo(endpointAttributes({ 'switchyard.request.outcome': 'ok' })),
    error: memo(endpointAttributes({ 'switchyard.request.outcome': 'error' })),
    rejected: memo(endpointAttributes({ 'switchyard.request.outcome': 'rejected' })),
  } satisfies Record<RequestOutcome, unknown>;
  const probeAttributes = {
    ok: memo(endpointAttributes({ 'switchyard.probe.result': 'ok' })),
    failed: memo(endpointAttributes({ 'switchyard.probe.result': 'failed' })),
  };
  return {
    call: ({ method }) => ({
      attempt: ({ endpoint }) => ({
        run: (send) => send(),
        end: ({ ending, durationMs }) => {
          // As in the Prometheus series: an abandoned request's time says nothing about its endpoint.
          if (ending === 'cancelled') return;
          const outcome = ending === 'won' ? 'ok' : ending === 'failed' ? 'error' : 'rejected';
          requests.record(durationMs / 1000, requestAttributes[outcome](endpoint.label));
        },
      }),
      end: ({ result, durationMs }) => {
        calls.record(
          durationMs / 1000,
          callAttributes(method === undefined ? result : `${result} ${method}`),
        );
      },
    }),
    probe: ({ endpoint, ok, durationMs }) => {
      probes.record(durationMs / 1000, probeAttributes[ok ? 'ok' : 'failed'](endpoint.label));
    },
  };
}
