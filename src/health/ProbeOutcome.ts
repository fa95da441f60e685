import type { ProbeResult, SharedEndpointRecord } from '../interfaces.js';

/**
 * What one probe of an endpoint came to. Both kinds carry `ok` and `latencyMs`, so metrics read them
 * alike; a timeout counts its deadline as its latency.
 * - `answered`: the probe returned before its deadline, well or not (an error, a 429, another network).
 * - `timed-out`: no answer before the deadline; may be our own event loop starving, so it is judged apart.
 */
export type ProbeOutcome =
  | ({ readonly kind: 'answered' } & ProbeResult)
  | { readonly kind: 'timed-out'; readonly ok: false; readonly latencyMs: number; readonly detail: string };

/**
 * The outcome of a probe still unanswered when its `timeoutMs` deadline passed.
 *
 * @example
 * probeTimedOut(800); // { kind: 'timed-out', ok: false, latencyMs: 800, detail: 'probe timed out after 800 ms' }
 */
export function probeTimedOut(timeoutMs: number): ProbeOutcome {
  return {
    kind: 'timed-out',
    ok: false,
    latencyMs: timeoutMs,
    detail: `probe timed out after ${timeoutMs} ms`,
  };
}

/**
 * The outcome as other instances sharing a StateStore read it. A rate limit is not shared: it applies to
 * this instance's requests.
 *
 * @example
 * sharedRecordOf(probeTimedOut(800), Date.now()); // { ok: false, latencyMs: 800, timedOut: true, ... }
 */
export function sharedRecordOf(outcome: ProbeOutcome, checkedAt: number): SharedEndpointRecord {
  switch (outcome.kind) {
    case 'timed-out':
      return { ok: false, latencyMs: outcome.latencyMs, detail: outcome.detail, timedOut: true, checkedAt };
    case 'answered':
      return {
        ok: outcome.ok,
        latencyMs: outcome.latencyMs,
        head: outcome.head,
        detail: outcome.detail,
        checkedAt,
      };
  }
}

/**
 * The outcome of a probe another instance ran and shared.
 *
 * @example
 * outcomeOfShared({ ok: true, latencyMs: 40, head: 100, checkedAt }); // { kind: 'answered', ok: true, ... }
 */
export function outcomeOfShared(record: SharedEndpointRecord): ProbeOutcome {
  if (record.timedOut) {
    return {
      kind: 'timed-out',
      ok: false,
      latencyMs: record.latencyMs,
      detail: record.detail ?? 'probe timed out',
    };
  }
  return {
    kind: 'answered',
    ok: record.ok,
    latencyMs: record.latencyMs,
    head: record.head,
    detail: record.detail,
  };
}
