import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { send } from './http.js';

/**
 * The HTTP-level fault knobs every simulated node shares; chain-specific knobs (lag, stalls, …) live with
 * each simulator.
 */
export interface HttpFaults {
  /** Extra delay, in milliseconds, before the answer. */
  latencyMs?: number;
  /** Read the request but never answer it. */
  blackhole?: boolean;
  /** Fraction (0..1) of requests answered with HTTP 500. */
  errorRate?: number;
  /** Fraction (0..1) of requests answered with HTTP 429 and a `Retry-After` header. */
  rateLimitRate?: number;
  /** `Retry-After` value, in seconds, sent with 429 answers (default 1). */
  retryAfterSeconds?: number;
  /** Answer HTTP 200 with an HTML page instead of JSON. */
  garbage?: boolean;
}

/** What a misconfigured reverse proxy sends instead of JSON; clients must classify it, not parse it. */
export const GARBAGE_HTML =
  '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>';

/**
 * Whether a fault with probability `rate` fires this time; an unset or zero rate never draws, so a
 * seeded `random` stays in step with the faults actually configured.
 *
 * @example
 * if (roll(faults.errorRate, this.random)) send(res, 500, 'Internal Server Error', 'text/plain');
 */
export function roll(rate: number | undefined, random: () => number): boolean {
  return rate !== undefined && rate > 0 && random() < rate;
}

/**
 * Applies the HTTP faults to one request, in the order a real stack would meet them: blackhole, latency,
 * 429, 500, garbage, then the method check (`allowedMethod`: POST for JSON-RPC, GET for REST). Resolves true when the request got through and the caller must
 * answer it; false when a fault has already answered (or deliberately never will).
 *
 * @example
 * if (await httpFaultGate(req, res, faults, this.random, this.signal)) send(res, 200, json, 'application/json');
 */
export async function httpFaultGate(
  req: IncomingMessage,
  res: ServerResponse,
  faults: HttpFaults,
  random: () => number,
  signal: AbortSignal,
  allowedMethod: 'GET' | 'POST' = 'POST',
): Promise<boolean> {
  if (faults.blackhole) return false;
  if (faults.latencyMs) {
    try {
      await sleep(faults.latencyMs, undefined, { signal });
    } catch {
      // Aborted by close(): the connection is being destroyed, there is nobody left to answer.
      return false;
    }
  }
  if (roll(faults.rateLimitRate, random)) {
    const retryAfter = String(faults.retryAfterSeconds ?? 1);
    send(res, 429, 'Too Many Requests', 'text/plain', { 'Retry-After': retryAfter });
    return false;
  }
  if (roll(faults.errorRate, random)) {
    send(res, 500, 'Internal Server Error', 'text/plain');
    return false;
  }
  if (faults.garbage) {
    send(res, 200, GARBAGE_HTML, 'text/html; charset=utf-8');
    return false;
  }
  if (req.method !== allowedMethod) {
    send(res, 405, 'Method Not Allowed', 'text/plain', { Allow: allowedMethod });
    return false;
  }
  return true;
}
