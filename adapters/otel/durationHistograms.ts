import type { Attributes, Histogram, Meter } from '@opentelemetry/api';
import type { FailoverObserver } from '../../src/index.js';
import { LATENCY_BUCKETS_MS } from '../../src/metrics/LatencyHistogram.js';

/** The Prometheus exporter's buckets, in seconds: both exporters cut latencies the same way. */
const BOUNDARIES_S = LATENCY_BUCKETS_MS.map((ms) => ms / 1000);

function histogram(meter: Meter, name: string, description: string): Histogram {
  return meter.createHistogram(name, {
    description,
    unit: 's',
    advice: { explicitBucketBoundaries: BOUNDARIES_S },
  });
}

/**
 * Records the durations of calls, requests and probes as they end, in seconds. OpenTelemetry has no
 * histogram read from a snapshot, so unlike the counters these count from `instrument()` on.
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
  return {
    call: ({ method }) => ({
      attempt: ({ endpoint }) => ({
        run: (send) => send(),
        end: ({ ending, durationMs }) => {
          // As in the Prometheus series: an abandoned request's time says nothing about its endpoint.
          if (ending === 'cancelled') return;
          requests.record(durationMs / 1000, {
            ...base,
            'switchyard.endpoint': endpoint.label,
            'switchyard.request.outcome':
              ending === 'won' ? 'ok' : ending === 'failed' ? 'error' : 'rejected',
          });
        },
      }),
      end: ({ result, durationMs }) => {
        calls.record(durationMs / 1000, {
          ...base,
          'switchyard.call.result': result,
          ...(method === undefined ? {} : { 'rpc.method': method }),
        });
      },
    }),
    probe: ({ endpoint, ok, durationMs }) => {
      probes.record(durationMs / 1000, {
        ...base,
        'switchyard.endpoint': endpoint.label,
        'switchyard.probe.result': ok ? 'ok' : 'failed',
      });
    },
  };
}
