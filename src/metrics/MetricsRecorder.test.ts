import { describe, expect, it } from 'vitest';
import { parseEndpoints } from '../endpoint.js';
import type { EndpointHealth } from '../health/snapshot.js';
import { MetricsRecorder } from './MetricsRecorder.js';

const [a, b] = parseEndpoints([
  'https://user:secret@a.example/v3/0123456789abcdef0123456789abcdef',
  { url: 'https://b.example', label: 'b' },
]);
const health = (state: EndpointHealth['state'] = 'healthy') =>
  [a!, b!].map((endpoint) => ({ endpoint, state }) as EndpointHealth);

describe('MetricsRecorder', () => {
  it('counts calls, requests by outcome, probes and hedges per endpoint', () => {
    const metrics = new MetricsRecorder();
    metrics.call('ok', 12);
    metrics.call('failed', 40);
    metrics.request(a!, 'ok', 10);
    metrics.request(a!, 'error', 30);
    metrics.request(b!, 'cancelled', 500);
    metrics.hedgeFired(b!);
    metrics.hedgeWon(b!);
    metrics.probe(a!, 'ok', 3);
    metrics.probe(a!, 'failed', 800);
    metrics.routeChanged();

    const snapshot = metrics.snapshot(health('slow'));
    expect(snapshot.calls).toEqual({ ok: 1, failed: 1 });
    expect(snapshot.callDurationMs.count).toBe(2);
    expect(snapshot.routeChanges).toBe(1);
    const [onA, onB] = snapshot.endpoints;
    expect(onA).toMatchObject({
      state: 'slow',
      requests: { ok: 1, error: 1, rejected: 0, cancelled: 0 },
      probes: { ok: 1, failed: 1 },
      hedgesFired: 0,
    });
    expect(onA!.requestDurationMs.sumMs).toBe(40);
    expect(onA!.probeDurationMs.count).toBe(2);
    // A cancelled request has no duration worth recording.
    expect(onB).toMatchObject({ requests: { cancelled: 1 }, hedgesFired: 1, hedgesWon: 1 });
    expect(onB!.requestDurationMs.count).toBe(0);
  });

  it('names endpoints by label and id only, never by URL', () => {
    const metrics = new MetricsRecorder();
    metrics.request(a!, 'ok', 1);
    const text = JSON.stringify(metrics.snapshot(health()));
    expect(text).not.toContain('secret');
    expect(text).not.toContain('0123456789abcdef');
    expect(text).toContain(a!.label);
  });

  it('forgets endpoints that were removed', () => {
    const metrics = new MetricsRecorder();
    metrics.request(a!, 'ok', 1);
    metrics.retain([b!]);
    expect(metrics.snapshot(health())).toMatchObject({ endpoints: [{ requests: { ok: 0 } }, {}] });
  });

  it('hands out copies: a snapshot does not change afterwards', () => {
    const metrics = new MetricsRecorder();
    const before = metrics.snapshot(health());
    metrics.request(a!, 'ok', 1);
    metrics.call('ok', 1);
    expect(before.endpoints[0]!.requests.ok).toBe(0);
    expect(before.calls.ok).toBe(0);
  });
});
